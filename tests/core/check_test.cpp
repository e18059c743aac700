// check, allowed, normalize and planBulk/planBatch on hand-picked cases: store scope, read-only,
// required fields, guards, legacy statuses, every reason together, malformed input, hostile notes.
#include "batch_columns.hpp"
#include "support.hpp"

using namespace oftest;
using orderflow::Error;

namespace {

const char* kDeliveryInvalid = "Invalid status value. Must be one of: pending, confirmed, assigned, in_transit, delivered, cancelled";

json order(const std::string& status, json extra = json::object()) {
    json o = {{"id", 7},
              {"status", status},
              {"store_id", "s1"},
              {"payment_status", "paid"},
              {"items", {{{"sku", "A"}, {"quantity", 1}, {"in_stock", true}}}}};
    for (auto it = extra.begin(); it != extra.end(); ++it) {
        if (it.value().is_discarded()) o.erase(it.key());
        else o[it.key()] = it.value();
    }
    return o;
}
json drop() { return json(json::value_t::discarded); }

json admin() { return {{"role", "admin"}}; }
json manager(json stores = {"s1"}) { return {{"role", "store_manager"}, {"stores", stores}}; }

class Check : public ::testing::Test {
protected:
    void SetUp() override {
        cms = builtin("cms");
        delivery = builtin("delivery");
        ASSERT_TRUE(cms && delivery);
    }
    WorkflowPtr cms, delivery;
};

}  // namespace

// ---- store scope ----

TEST_F(Check, StoreScope) {
    EXPECT_TRUE(cms->check(order("new"), "processing", nullptr, manager()).ok);
    auto other = cms->check(order("new"), "processing", nullptr, manager({"s2", "s3"}));
    EXPECT_EQ(describe(other.errors), "forbidden_store: This order belongs to a store you are not assigned to.\n");
    auto none = cms->check(order("new", {{"store_id", nullptr}}), "processing", nullptr, manager());
    EXPECT_EQ(describe(none.errors), "forbidden_store: This order has no store, so only roles covering every store may change it.\n");
    auto absent = cms->check(order("new", {{"store_id", drop()}}), "processing", nullptr, manager());
    EXPECT_EQ(codes(absent.errors), std::vector<std::string>{"forbidden_store"});
    auto noStores = cms->check(order("new"), "processing", nullptr, {{"role", "fulfillment"}});
    EXPECT_EQ(codes(noStores.errors), std::vector<std::string>{"forbidden_store"});
    // Admin covers every store, with or without a store on the order.
    EXPECT_TRUE(cms->check(order("new", {{"store_id", "s99"}}), "processing", nullptr, admin()).ok);
    EXPECT_TRUE(cms->check(order("new", {{"store_id", nullptr}}), "processing", nullptr, admin()).ok);
    // allowed() hides everything from an actor of another store.
    EXPECT_TRUE(cms->allowed(order("new"), manager({"s2"})).options.empty());
    EXPECT_TRUE(cms->allowed(order("new"), manager({"s2"})).errors.empty());
    EXPECT_EQ(cms->allowed(order("new"), manager({"s1"})).options.size(), 3u);
}

TEST_F(Check, StoreIdsCompareAsText) {
    EXPECT_TRUE(cms->check(order("new", {{"store_id", 1}}), "processing", nullptr, manager({"1"})).ok);
    EXPECT_TRUE(cms->check(order("new", {{"store_id", "1"}}), "processing", nullptr, manager({1})).ok);
    EXPECT_TRUE(cms->check(order("new", {{"store_id", 1.0}}), "processing", nullptr, manager({"1"})).ok);
    EXPECT_TRUE(cms->check(order("new", {{"store_id", 1.5}}), "processing", nullptr, manager({"1.5"})).ok);
    EXPECT_TRUE(cms->check(order("new", {{"store_id", 1e21}}), "processing", nullptr, manager({"1e+21"})).ok);
    EXPECT_TRUE(cms->check(order("new", {{"store_id", 1e-7}}), "processing", nullptr, manager({"1e-7"})).ok);
    EXPECT_TRUE(cms->check(order("new", {{"store_id", 0.000001}}), "processing", nullptr, manager({"0.000001"})).ok);
    EXPECT_TRUE(cms->check(order("new", {{"store_id", -12}}), "processing", nullptr, manager({"-12"})).ok);
    EXPECT_FALSE(cms->check(order("new", {{"store_id", 10}}), "processing", nullptr, manager({"1"})).ok);
    EXPECT_FALSE(cms->check(order("new", {{"store_id", "01"}}), "processing", nullptr, manager({1})).ok);
}

// ---- read-only ----

TEST_F(Check, ReadOnlyRole) {
    json reporting = {{"role", "reporting"}};
    auto v = cms->check(order("new"), "processing", nullptr, reporting);
    EXPECT_EQ(describe(v.errors), "read_only: The Reporting User role can view orders but cannot change their status.\n");
    auto allowed = cms->allowed(order("new"), reporting);
    EXPECT_TRUE(allowed.options.empty());
    EXPECT_TRUE(allowed.errors.empty());
}

TEST_F(Check, UnknownRoleIsForbidden) {
    auto v = cms->check(order("new"), "processing", nullptr, {{"role", "driver"}});
    EXPECT_EQ(describe(v.errors), "forbidden_role: \"driver\" is not a role in CMS orders.\n");
    EXPECT_TRUE(cms->allowed(order("new"), {{"role", "driver"}}).options.empty());
    auto empty = cms->check(order("new"), "processing", nullptr, {{"role", ""}});
    EXPECT_EQ(describe(empty.errors), "forbidden_role: \"\" is not a role in CMS orders.\n");
}

TEST_F(Check, ForbiddenRoleMessageUsesLabels) {
    auto v = cms->check(order("processing"), "cancelled", nullptr, {{"role", "fulfillment"}, {"stores", {"s1"}}});
    EXPECT_EQ(describe(v.errors), "forbidden_role: The Order Fulfillment Staff role may not move an order from Processing to Cancelled.\n");
}

// ---- required and optional fields ----

TEST_F(Check, RequiredField) {
    const std::string missing = "missing_field: Rejection reason is required to move an order to Rejected. [rejection_reason]\n";
    EXPECT_EQ(describe(cms->check(order("new"), "rejected", nullptr, admin()).errors), missing);
    EXPECT_EQ(describe(cms->check(order("new"), "rejected", json::object(), admin()).errors), missing);
    EXPECT_EQ(describe(cms->check(order("new"), "rejected", {{"rejection_reason", nullptr}}, admin()).errors), missing);
    EXPECT_EQ(describe(cms->check(order("new"), "rejected", {{"rejection_reason", ""}}, admin()).errors), missing);
    EXPECT_EQ(describe(cms->check(order("new"), "rejected", {{"rejection_reason", " \n\t "}}, admin()).errors), missing);
    EXPECT_EQ(describe(cms->check(order("new"), "rejected", {{"rejection_reason", 5}}, admin()).errors),
              "invalid_field: Rejection reason must be text. [rejection_reason]\n");
    EXPECT_TRUE(cms->check(order("new"), "rejected", {{"rejection_reason", "Customer ID expired"}}, admin()).ok);
    EXPECT_TRUE(cms->check(order("new"), "rejected", {{"rejection_reason", "x"}, {"notes", "called them"}}, admin()).ok);
}

TEST_F(Check, FieldsThatDoNotApplyOrDoNotExist) {
    auto na = cms->check(order("new"), "processing", {{"rejection_reason", "x"}}, admin());
    EXPECT_EQ(describe(na.errors),
              "invalid_field: Rejection reason does not apply when moving an order to Processing. [rejection_reason]\n");
    EXPECT_TRUE(cms->check(order("new"), "processing", {{"rejection_reason", nullptr}}, admin()).ok);
    auto unknown = cms->check(order("new"), "processing", {{"tracking_number", "1Z"}}, admin());
    EXPECT_EQ(describe(unknown.errors), "invalid_field: \"tracking_number\" is not a field of CMS orders. [tracking_number]\n");
    // tracking_number applies to delivery's → in_transit only.
    EXPECT_TRUE(delivery->check(order("assigned"), "in_transit", {{"tracking_number", "1Z999"}}, admin()).ok);
    EXPECT_EQ(codes(delivery->check(order("pending"), "confirmed", {{"tracking_number", "1Z999"}}, admin()).errors),
              std::vector<std::string>{"invalid_field"});
    // The document's PUT body sends tracking_number: null on every change.
    EXPECT_TRUE(delivery->check(order("pending"), "confirmed", {{"tracking_number", nullptr}}, admin()).ok);
}

TEST_F(Check, FieldsMustBeAnObject) {
    for (const json& fields : {json("notes"), json::array({"notes"}), json(3), json(true)}) {
        auto v = cms->check(order("new"), "processing", fields, admin());
        EXPECT_EQ(describe(v.errors), "invalid_field: Fields must be given as an object of field values.\n") << fields.dump();
    }
    // A required field is then missing as well.
    EXPECT_EQ(codes(cms->check(order("new"), "rejected", json("x"), admin()).errors),
              (std::vector<std::string>{"missing_field", "invalid_field"}));
}

// ---- hostile notes ----

TEST_F(Check, HostileNotes) {
    const std::string megabyte(1 << 20, 'x');
    auto big = cms->check(order("new"), "processing", {{"notes", megabyte}}, admin());
    EXPECT_EQ(describe(big.errors), "invalid_field: Notes is too long: at most 2000 characters. [notes]\n");

    // maxLength counts characters, not bytes: 2000 two-byte characters fit, 2001 do not.
    std::string e2000;
    for (int i = 0; i < 2000; ++i) e2000 += "\xC3\xA9";
    EXPECT_TRUE(cms->check(order("new"), "processing", {{"notes", e2000}}, admin()).ok);
    EXPECT_EQ(codes(cms->check(order("new"), "processing", {{"notes", e2000 + "\xC3\xA9"}}, admin()).errors),
              std::vector<std::string>{"invalid_field"});

    auto badUtf8 = cms->check(order("new"), "processing", {{"notes", std::string("ok \xC3\x28 \xFF")}}, admin());
    EXPECT_EQ(describe(badUtf8.errors), "invalid_field: Notes is not valid UTF-8 text. [notes]\n");
    auto surrogate = cms->check(order("new"), "processing", {{"notes", std::string("\xED\xA0\x80")}}, admin());
    EXPECT_EQ(codes(surrogate.errors), std::vector<std::string>{"invalid_field"});

    auto nul = cms->check(order("new"), "processing", {{"notes", std::string("a\0b", 3)}}, admin());
    EXPECT_EQ(describe(nul.errors), "invalid_field: Notes contains control characters. [notes]\n");
    auto c1 = cms->check(order("new"), "processing", {{"notes", std::string("a\xC2\x85z")}}, admin());
    EXPECT_EQ(codes(c1.errors), std::vector<std::string>{"invalid_field"});
    auto del = cms->check(order("new"), "processing", {{"notes", std::string("a\x7Fz")}}, admin());
    EXPECT_EQ(codes(del.errors), std::vector<std::string>{"invalid_field"});
    // Bidirectional controls (a note that would display reversed) are refused too, naming the field.
    for (const char* bidi : {"\xE2\x80\xAE", "\xE2\x80\xAA", "\xE2\x81\xA6", "\xE2\x81\xA9", "\xE2\x80\x8F", "\xD8\x9C"}) {
        auto b = cms->check(order("new"), "processing", {{"notes", std::string("pay ") + bidi + "gnp.exe"}}, admin());
        EXPECT_EQ(describe(b.errors), "invalid_field: Notes contains control characters. [notes]\n") << bidi;
    }
    // Neighbours of those code points are ordinary text: U+2010 (hyphen), U+2030 (per mille), U+0627.
    EXPECT_TRUE(cms->check(order("new"), "processing",
                           {{"notes",
                             "a\xE2\x80\x90"
                             "b \xE2\x80\xB0 \xD8\xA7"}},
                           admin())
                    .ok);

    // Newlines, tabs, markup and emoji are ordinary text (the UI shows notes as text).
    EXPECT_TRUE(
        cms->check(order("new"), "processing", {{"notes", "line 1\r\nline\t2 <script>alert(1)</script> \xF0\x9F\x93\xA6"}}, admin()).ok);

    // A 1 MB note that is both too long and full of control characters: both said, no echo.
    auto both = cms->check(order("new"), "processing", {{"notes", std::string(1 << 20, '\x01')}}, admin());
    EXPECT_EQ(codes(both.errors), (std::vector<std::string>{"invalid_field", "invalid_field"}));
    for (const auto& e : both.errors) EXPECT_LT(e.message.size(), 100u);
}

TEST_F(Check, HostileFieldNamesAreQuotedShortAndEscaped) {
    const std::string key = "<script>alert(\"x\")</script>" + std::string(5000, 'k');
    auto v = cms->check(order("new"), "processing", {{key, "x"}}, admin());
    ASSERT_EQ(v.errors.size(), 1u);
    const auto& e = v.errors[0];
    EXPECT_EQ(e.code, "invalid_field");
    EXPECT_EQ(e.message, "\"<script>alert(\\\"x\\\")</script>kkkkkkkkkkkkk...\" is not a field of CMS orders.");
    EXPECT_EQ(e.field, "") << "a key that is not an identifier is not echoed as `field`";
    auto ctl = cms->check(order("new"), "processing", {{std::string("a\nb\0c", 5), "x"}}, admin());
    ASSERT_EQ(ctl.errors.size(), 1u);
    EXPECT_EQ(ctl.errors[0].message, "\"a\\nb\\u0000c\" is not a field of CMS orders.");
    auto role = cms->check(order("new"), "processing", nullptr, {{"role", std::string(1000, 'r')}});
    ASSERT_EQ(role.errors.size(), 1u);
    EXPECT_LT(role.errors[0].message.size(), 120u);
}

TEST_F(Check, ThousandsOfUnknownKeysGiveABoundedList) {
    json fields = json::object();
    for (int i = 0; i < 5000; ++i) fields["k" + std::to_string(10000 + i)] = i;
    fields["notes"] = 5;
    auto v = cms->check(order("new"), "processing", fields, admin());
    ASSERT_EQ(v.errors.size(), 12u) << describe(v.errors);
    EXPECT_EQ(v.errors[0].message, "\"k10000\" is not a field of CMS orders.");
    EXPECT_EQ(v.errors[10].message, "Notes must be text.");
    EXPECT_EQ(v.errors[11].message, "4990 more keys are not fields of CMS orders.");
    EXPECT_EQ(v.errors[11].field, "");
}

// ---- guards ----

TEST_F(Check, PaymentGuard) {
    auto pending = cms->check(order("processing", {{"payment_status", "pending"}}), "completed", nullptr, admin());
    EXPECT_EQ(describe(pending.errors),
              "payment_required: Payment has not been settled for this order: it can be completed once it is paid.\n");
    auto absent = cms->check(order("processing", {{"payment_status", drop()}}), "completed", nullptr, admin());
    EXPECT_EQ(describe(absent.errors), "payment_required: This order has no payment status: it can be completed once it is paid.\n");
    auto null = cms->check(order("ready_for_pickup", {{"payment_status", nullptr}}), "completed", nullptr, admin());
    EXPECT_EQ(codes(null.errors), std::vector<std::string>{"payment_required"});
    EXPECT_TRUE(cms->check(order("ready_for_pickup"), "completed", nullptr, admin()).ok);
    // The guard belongs to → completed only.
    EXPECT_TRUE(cms->check(order("processing", {{"payment_status", "failed"}}), "ready_for_pickup", nullptr, admin()).ok);
    // Guards never hide an option.
    auto allowed = cms->allowed(order("processing", {{"payment_status", "failed"}}), admin());
    EXPECT_EQ(allowed.options.size(), 3u);
}

TEST_F(Check, InventoryGuard) {
    auto items = [](json list) { return order("new", {{"items", list}}); };
    const std::string shortMsg =
        "inventory_short: Some line items are not in stock: restock them or edit the order before processing it. Not enough in stock: ";
    EXPECT_EQ(describe(cms->check(items({{{"sku", "A"}, {"quantity", 1}, {"in_stock", false}}}), "processing", nullptr, admin()).errors),
              shortMsg + "\"A\" (1 ordered). [{\"available\":null,\"index\":0,\"quantity\":1,\"sku\":\"A\"}]\n");
    EXPECT_EQ(describe(cms->check(items({{{"quantity", 2}, {"in_stock", 1}}}), "processing", nullptr, admin()).errors),
              shortMsg + "item 1 (2 ordered, 1 in stock). [{\"available\":1,\"index\":0,\"quantity\":2,\"sku\":null}]\n");
    EXPECT_TRUE(cms->check(items({{{"quantity", 2}, {"in_stock", 2}}}), "processing", nullptr, admin()).ok);
    EXPECT_TRUE(cms->check(items({{{"quantity", 2.5}, {"in_stock", 3}}}), "processing", nullptr, admin()).ok);
    EXPECT_TRUE(cms->check(items({{{"in_stock", 1}}}), "processing", nullptr, admin()).ok) << "absent quantity counts as 1";
    EXPECT_EQ(codes(cms->check(items({{{"in_stock", 0}}}), "processing", nullptr, admin()).errors),
              std::vector<std::string>{"inventory_short"});
    EXPECT_EQ(codes(cms->check(items({{{"quantity", 1}}}), "processing", nullptr, admin()).errors),
              std::vector<std::string>{"inventory_short"})
        << "absent in_stock is not known to be in stock";
    EXPECT_TRUE(cms->check(items({{{"quantity", 0}, {"in_stock", 0}}}), "processing", nullptr, admin()).ok);
    EXPECT_TRUE(cms->check(items(json::array()), "processing", nullptr, admin()).ok) << "no line items, nothing short";
    EXPECT_EQ(codes(cms->check(items({{{"in_stock", true}}, {{"in_stock", false}}}), "processing", nullptr, admin()).errors),
              std::vector<std::string>{"inventory_short"});
    const std::string missing = "inventory_short: This order has no line items, so its stock cannot be checked.\n";
    EXPECT_EQ(describe(cms->check(order("new", {{"items", drop()}}), "processing", nullptr, admin()).errors), missing);
    EXPECT_EQ(describe(cms->check(order("new", {{"items", nullptr}}), "processing", nullptr, admin()).errors), missing);
}

// Guards never hide an option: an option whose guard refuses this order stays offered, marked
// blocked with check's first refusal about the order (same code, words and short items), so a UI
// can show it unavailable, and why, before anyone picks it.
TEST_F(Check, AllowedMarksOptionsTheGuardsRefuse) {
    auto one = [](const orderflow::Allowed& a, const std::string& id) {
        for (const auto& o : a.options)
            if (o.id == id) return o.blocked;
        return Error{"not offered", "", ""};
    };
    const json shortOrder =
        order("new", {{"items", {{{"sku", "A"}, {"quantity", 2}, {"in_stock", 1}}, {{"sku", "B"}, {"in_stock", true}}}}});
    auto a = cms->allowed(shortOrder, manager());
    ASSERT_EQ(a.options.size(), 3u);
    EXPECT_EQ(describe({one(a, "processing")}), describe(cms->check(shortOrder, "processing", nullptr, manager()).errors));
    EXPECT_EQ(describe({one(a, "processing")}),
              "inventory_short: Some line items are not in stock: restock them or edit the order before processing it. Not enough in "
              "stock: \"A\" (2 ordered, 1 in stock). [{\"available\":1,\"index\":0,\"quantity\":2,\"sku\":\"A\"}]\n");
    EXPECT_TRUE(one(a, "cancelled").code.empty());
    EXPECT_TRUE(one(a, "rejected").code.empty()) << "a required field is not the order's: the dialog asks for it";
    EXPECT_TRUE(cms->allowed(order("new"), manager()).options[0].blocked.code.empty()) << "every item in stock";

    // The payment guard, in check's words for a failed and for an absent payment state.
    auto unpaid = cms->allowed(order("processing", {{"payment_status", "failed"}}), admin());
    EXPECT_EQ(describe({one(unpaid, "completed")}),
              "payment_required: Payment has not been settled for this order: it can be completed once it is paid.\n");
    EXPECT_TRUE(one(unpaid, "ready_for_pickup").code.empty());
    EXPECT_EQ(describe({one(cms->allowed(order("ready_for_pickup", {{"payment_status", drop()}}), admin()), "completed")}),
              "payment_required: This order has no payment status: it can be completed once it is paid.\n");
    // No line items: the guard's missing message, as check says it.
    EXPECT_EQ(describe({one(cms->allowed(order("new", {{"items", drop()}}), admin()), "processing")}),
              "inventory_short: This order has no line items, so its stock cannot be checked.\n");
    // A malformed part only the guard reads: the option is blocked as invalid_order, naming it; the
    // others stay open, and the order itself is not malformed for allowed.
    auto broken = cms->allowed(order("new", {{"items", {{{"quantity", -1}}}}}), admin());
    EXPECT_TRUE(broken.errors.empty());
    EXPECT_EQ(describe({one(broken, "processing")}), "invalid_order: order.items[0].quantity: expected a finite number >= 0, got -1\n");
    EXPECT_TRUE(one(broken, "cancelled").code.empty());
    // Delivery has no guards: nothing is ever blocked.
    for (const auto& o : delivery->allowed(order("pending"), admin()).options) EXPECT_TRUE(o.blocked.code.empty()) << o.id;
}

TEST_F(Check, GuardsRunOnlyWhenTheTransitionExists) {
    json broke = order("new", {{"payment_status", "failed"}, {"items", {{{"in_stock", false}}}}});
    EXPECT_EQ(codes(cms->check(broke, "completed", nullptr, admin()).errors), std::vector<std::string>{"invalid_transition"});
    EXPECT_EQ(codes(cms->check(order("completed", {{"payment_status", "failed"}}), "processing", nullptr, admin()).errors),
              std::vector<std::string>{"terminal_status"});
}

// ---- legacy and unknown statuses ----

TEST_F(Check, LegacyCurrentStatusesReadThroughAliases) {
    auto shipped = delivery->allowed(order("shipped"), admin());
    ASSERT_EQ(shipped.options.size(), 2u);
    EXPECT_EQ(shipped.options[0].id, "delivered");
    EXPECT_EQ(shipped.options[1].id, "cancelled");
    EXPECT_TRUE(delivery->check(order("shipped"), "delivered", nullptr, {{"role", "driver"}, {"stores", {"s1"}}}).ok);
    EXPECT_TRUE(delivery->check(order("processing"), "assigned", nullptr, {{"role", "manager"}}).ok);
    EXPECT_EQ(codes(delivery->check(order("processing"), "in_transit", nullptr, admin()).errors),
              std::vector<std::string>{"invalid_transition"});
    auto refunded = delivery->check(order("refunded"), "cancelled", nullptr, admin());
    EXPECT_EQ(describe(refunded.errors), "unknown_status: Refunds are not implemented yet.\n");
    auto refundedAllowed = delivery->allowed(order("refunded"), admin());
    EXPECT_TRUE(refundedAllowed.options.empty());
    EXPECT_TRUE(refundedAllowed.errors.empty());
    auto garbage = delivery->check(order("lost"), "cancelled", nullptr, admin());
    EXPECT_EQ(describe(garbage.errors), std::string("unknown_status: ") + kDeliveryInvalid + "\n");
    // cms has no aliases: "pending" is simply unknown there.
    EXPECT_EQ(codes(cms->check(order("pending"), "processing", nullptr, admin()).errors), std::vector<std::string>{"unknown_status"});
}

TEST_F(Check, LegacyAndUnknownTargetsGetTheDocumentsMessageWordForWord) {
    for (const char* to : {"processing", "shipped", "refunded", "Pending", "", "bogus"}) {
        auto v = delivery->check(order("pending"), to, nullptr, admin());
        ASSERT_EQ(v.errors.size(), 1u) << to;
        EXPECT_EQ(v.errors[0].code, "unknown_status");
        EXPECT_EQ(v.errors[0].message, kDeliveryInvalid) << to;
        EXPECT_EQ(v.errors[0].field, "");
    }
    auto c = cms->check(order("new"), "shipped", nullptr, admin());
    EXPECT_EQ(describe(c.errors),
              "unknown_status: Invalid status value. Must be one of: new, processing, ready_for_pickup, completed, cancelled, rejected\n");
}

TEST_F(Check, Normalize) {
    auto same = delivery->normalize("in_transit");
    EXPECT_TRUE(same.ok);
    EXPECT_EQ(same.status, "in_transit");
    EXPECT_EQ(delivery->normalize("processing").status, "confirmed");
    EXPECT_EQ(delivery->normalize("shipped").status, "in_transit");
    auto refunded = delivery->normalize("refunded");
    EXPECT_FALSE(refunded.ok);
    EXPECT_EQ(refunded.error.code, "unknown_status");
    EXPECT_EQ(refunded.error.message, "Refunds are not implemented yet.");
    auto bogus = delivery->normalize("SHIPPED");
    EXPECT_FALSE(bogus.ok);
    EXPECT_EQ(bogus.error.message, kDeliveryInvalid);
    EXPECT_TRUE(cms->normalize("ready_for_pickup").ok);
    EXPECT_FALSE(cms->normalize("shipped").ok);
}

// ---- every reason together, in the fixed order ----

TEST_F(Check, UnknownCurrentAndTargetWithReadOnlyAndBadField) {
    auto v = cms->check(order("bogus", {{"store_id", drop()}}), "shipped", {{"x", 1}}, {{"role", "reporting"}});
    EXPECT_EQ(codes(v.errors), (std::vector<std::string>{"unknown_status", "read_only", "invalid_field"}))
        << "identical unknown_status messages are reported once\n"
        << describe(v.errors);
    auto refunded = delivery->check(order("refunded"), "shipped", nullptr, admin());
    EXPECT_EQ(describe(refunded.errors),
              std::string("unknown_status: Refunds are not implemented yet.\nunknown_status: ") + kDeliveryInvalid + "\n");
}

TEST_F(Check, TerminalWithStoreAndField) {
    auto v = cms->check(order("completed"), "processing", {{"notes", std::string("\x01")}}, manager({"s2"}));
    EXPECT_EQ(describe(v.errors),
              "terminal_status: Completed is a final status: this order can no longer change.\n"
              "forbidden_store: This order belongs to a store you are not assigned to.\n"
              "invalid_field: Notes contains control characters. [notes]\n");
}

TEST_F(Check, InvalidTransitionWithRoleStoreAndFields) {
    auto v = cms->check(order("new", {{"store_id", nullptr}}), "completed", {{"rejection_reason", "x"}, {"nope", 1}},
                        {{"role", "fulfillment"}, {"stores", {"s1"}}});
    // No transition: no forbidden_role for it, no applicability, no guards.
    EXPECT_EQ(describe(v.errors),
              "invalid_transition: An order cannot move from New to Completed.\n"
              "forbidden_store: This order has no store, so only roles covering every store may change it.\n"
              "invalid_field: \"nope\" is not a field of CMS orders. [nope]\n");
}

TEST_F(Check, EveryLaterReasonTogether) {
    json doc = {
        {"id", "t"},
        {"name", "Test"},
        {"initial", "a"},
        {"statuses",
         {{{"id", "a"}, {"label", "A"}, {"color", "#000"}}, {{"id", "b"}, {"label", "B"}, {"color", "#fff"}, {"terminal", true}}}},
        {"roles", {{{"id", "boss"}, {"label", "Boss"}, {"scope", "all"}}, {{"id", "clerk"}, {"label", "Clerk"}, {"scope", "assigned"}}}},
        {"fields",
         {{{"id", "reason"}, {"label", "Reason"}, {"type", "text"}, {"maxLength", 3}},
          {{"id", "notes"}, {"label", "Notes"}, {"type", "text"}}}},
        {"guards",
         {{{"id", "paid"},
           {"kind", "equals"},
           {"field", "payment_status"},
           {"value", "paid"},
           {"code", "payment_required"},
           {"message", "Not paid."}},
          {{"id", "stock"}, {"kind", "items_in_stock"}, {"code", "inventory_short"}, {"message", "Short."}}}},
        {"transitions", {{{"from", "a"}, {"to", "b"}, {"roles", {"boss"}}, {"requires", {"reason"}}, {"guards", {"stock", "paid"}}}}},
    };
    auto w = loadOk(doc);
    ASSERT_TRUE(w);
    json o = {{"status", "a"}, {"store_id", 3}, {"payment_status", "pending"}, {"items", {{{"in_stock", false}}}}};
    auto v = w->check(o, "b", {{"reason", " "}, {"notes", "toolong"}, {"zzz", true}}, {{"role", "clerk"}, {"stores", {4}}});
    EXPECT_EQ(describe(v.errors),
              "forbidden_role: The Clerk role may not move an order from A to B.\n"
              "forbidden_store: This order belongs to a store you are not assigned to.\n"
              "missing_field: Reason is required to move an order to B. [reason]\n"
              "invalid_field: Notes does not apply when moving an order to B. [notes]\n"
              "invalid_field: \"zzz\" is not a field of Test. [zzz]\n"
              "payment_required: Not paid.\n"
              "inventory_short: Short. Not enough in stock: item 1 (1 ordered). "
              "[{\"available\":null,\"index\":0,\"quantity\":1,\"sku\":null}]\n");
    auto missing = w->check({{"status", "a"}}, "b", {{"reason", "abcd"}}, {{"role", "boss"}});
    EXPECT_EQ(describe(missing.errors),
              "invalid_field: Reason is too long: at most 3 characters. [reason]\n"
              "payment_required: This order has no payment status.\n"
              "inventory_short: This order has no line items.\n");
}

// ---- malformed orders and actors ----

// A malformed order, and the change whose decision reads the broken part (an order is read only
// as far as the decision needs it: status always, store for a store-scoped role, payment state /
// items for a transition guarded on them).
struct BadOrder {
    json order;
    std::string message;
    std::string to = "processing";
    bool scoped = false;  // judged as a store manager of s1 (the store is read), else as admin
};

TEST_F(Check, MalformedOrders) {
    const std::vector<BadOrder> cases = {
        {json::array(), "order: expected an object, got an array"},
        {json("new"), "order: expected an object, got a string"},
        {json(nullptr), "order: expected an object, got null"},
        {{{"id", 1}}, "order.status: missing (expected a string)"},
        {{{"status", nullptr}}, "order.status: expected a string, got null"},
        {{{"status", 3}}, "order.status: expected a string, got a number"},
        {{{"status", "new"}, {"store_id", true}}, "order.store_id: expected a string or a number, got a boolean", "cancelled", true},
        {{{"status", "new"}, {"store_id", {"s1"}}}, "order.store_id: expected a string or a number, got an array", "cancelled", true},
        {{{"status", "processing"}, {"payment_status", 1}}, "order.payment_status: expected a string, got a number", "completed"},
        {{{"status", "new"}, {"items", "A"}}, "order.items: expected an array, got a string"},
        {{{"status", "new"}, {"items", {{{"in_stock", true}}, 5}}}, "order.items[1]: expected an object, got a number"},
        {{{"status", "new"}, {"items", {{{"in_stock", true}}, {{"in_stock", true}}, {{"quantity", "2"}}}}},
         "order.items[2].quantity: expected a finite number >= 0, got a string"},
        {{{"status", "new"}, {"items", {{{"quantity", -1}}}}}, "order.items[0].quantity: expected a finite number >= 0, got -1"},
        {{{"status", "new"}, {"items", {{{"quantity", nullptr}}}}}, "order.items[0].quantity: expected a finite number >= 0, got null"},
        {{{"status", "new"}, {"items", {{{"in_stock", "yes"}}}}},
         "order.items[0].in_stock: expected true, false or a finite number, got a string"},
        {{{"status", "new"}, {"items", {{{"in_stock", nullptr}}}}},
         "order.items[0].in_stock: expected true, false or a finite number, got null"},
    };
    for (const auto& c : cases) {
        const json actor = c.scoped ? manager() : admin();
        auto v = cms->check(c.order, c.to, nullptr, actor);
        EXPECT_EQ(describe(v.errors), "invalid_order: " + c.message + "\n") << c.order.dump();
        // allowed reads the status and (store-scoped roles) the store: guards never hide options.
        const bool allowedReads = !c.order.is_object() || c.message.rfind("order.status", 0) == 0 || c.scoped;
        auto a = cms->allowed(c.order, actor);
        if (allowedReads) {
            EXPECT_TRUE(a.options.empty()) << c.order.dump();
            EXPECT_EQ(describe(a.errors), "invalid_order: " + c.message + "\n") << c.order.dump();
        } else {
            EXPECT_FALSE(a.options.empty()) << c.order.dump();
            EXPECT_EQ(describe(a.errors), "") << c.order.dump();
        }
        // With a malformed actor only the status is read: a broken status is reported with it.
        const auto both = codes(cms->check(c.order, c.to, 5, json(1)).errors);
        if (allowedReads && !c.scoped) EXPECT_EQ(both, (std::vector<std::string>{"invalid_order", "invalid_actor"})) << c.order.dump();
        else EXPECT_EQ(both, (std::vector<std::string>{"invalid_actor"})) << c.order.dump();
    }
    // Nothing else about an order is checked.
    json odd = {{"status", "new"},
                {"id", {{"deep", true}}},
                {"lock_version", "x"},
                {"extra", {1, 2}},
                {"items", {{{"sku", 5}, {"name", nullptr}, {"in_stock", 3}}}}};
    EXPECT_TRUE(cms->check(odd, "processing", nullptr, admin()).ok);
}

// A broken part the decision does not read never blocks it: staff can still cancel or reject an
// order whose line items or payment state came in corrupt, and are told exactly what is broken
// when they try the change that needs it.
TEST_F(Check, BrokenPartsBlockOnlyTheDecisionsThatReadThem) {
    const json brokenItems = {{"status", "new"}, {"store_id", "s1"}, {"items", {{{"quantity", -1}, {"in_stock", true}}}}};
    EXPECT_TRUE(cms->check(brokenItems, "cancelled", nullptr, manager()).ok);
    EXPECT_TRUE(cms->check(brokenItems, "rejected", {{"rejection_reason", "bad data"}}, manager()).ok);
    EXPECT_EQ(describe(cms->check(brokenItems, "processing", nullptr, manager()).errors),
              "invalid_order: order.items[0].quantity: expected a finite number >= 0, got -1\n");
    auto a = cms->allowed(brokenItems, manager());
    EXPECT_EQ(a.options.size(), 3u);
    EXPECT_TRUE(a.errors.empty());

    const json brokenPayment = {{"status", "processing"}, {"store_id", "s1"}, {"payment_status", {{"paid", true}}}};
    EXPECT_TRUE(cms->check(brokenPayment, "ready_for_pickup", nullptr, manager()).ok);
    EXPECT_EQ(describe(cms->check(brokenPayment, "completed", nullptr, manager()).errors),
              "invalid_order: order.payment_status: expected a string, got an object\n");

    // The store is read for store-scoped roles only.
    const json brokenStore = {{"status", "new"}, {"store_id", true}, {"items", json::array()}};
    EXPECT_TRUE(cms->check(brokenStore, "processing", nullptr, admin()).ok);
    EXPECT_EQ(codes(cms->check(brokenStore, "processing", nullptr, manager()).errors), (std::vector<std::string>{"invalid_order"}));

    // A change with no transition reads no guard, so nothing but the status.
    EXPECT_EQ(codes(cms->check(brokenItems, "completed", nullptr, admin()).errors), (std::vector<std::string>{"invalid_transition"}));

    // planBulk and batchReads say the same.
    auto plan = cms->planBulk(json::array({brokenItems, brokenPayment}), "cancelled", nullptr, manager());
    EXPECT_EQ(plan.eligible.size(), 2u);
    EXPECT_EQ(cms->batchReads("processing", manager(), "new"), std::uint32_t{orderflow::kReadsStore | orderflow::kReadsItems});
    EXPECT_EQ(cms->batchReads("processing", admin(), "new"), std::uint32_t{orderflow::kReadsItems});
    EXPECT_EQ(cms->batchReads("cancelled", manager(), "new"), std::uint32_t{orderflow::kReadsStore});
    EXPECT_EQ(cms->batchReads("completed", admin(), "processing"), std::uint32_t{orderflow::kReadsFields});
    EXPECT_EQ(cms->batchReads("completed", admin(), "shipped"), 0u);
    EXPECT_EQ(cms->batchReads("completed", json(1), "processing"), 0u);
    EXPECT_EQ(cms->batchReads("completed", admin()), std::uint32_t{orderflow::kReadsFields});
}

TEST_F(Check, DeeplyNestedIds) {
    // Regression: an id nested 100,000 levels deep crashed planBulk (copying a JSON value
    // recurses). Such an id is refused; 64 levels are fine.
    json deep = json::array();
    for (int i = 0; i < 100000; ++i) deep = json::array({std::move(deep)});
    json deepOrder = {{"status", "new"}};
    deepOrder["id"] = std::move(deep);
    EXPECT_EQ(describe(cms->check(deepOrder, "processing", nullptr, admin()).errors),
              "invalid_order: order.id: nested deeper than 64 levels\n");

    json bulk = json::array();
    bulk.push_back(std::move(deepOrder));
    auto plan = cms->planBulk(bulk, "processing", nullptr, admin());
    ASSERT_EQ(plan.blocked.size(), 1u);
    EXPECT_EQ(plan.blocked[0].id, nullptr);
    json id64 = json::array();
    for (int i = 1; i < 64; ++i) id64 = json::array({std::move(id64)});
    EXPECT_TRUE(cms->check({{"status", "new"}, {"id", id64}, {"items", json::array()}}, "processing", nullptr, admin()).ok);
    // A NaN or infinite quantity (possible from code, not from JSON text) is malformed.
    json nan = {{"status", "new"}, {"items", {{{"quantity", std::nan("")}, {"in_stock", true}}}}};
    EXPECT_EQ(codes(cms->check(nan, "processing", nullptr, admin()).errors), std::vector<std::string>{"invalid_order"});
}

TEST_F(Check, MalformedActors) {
    const std::vector<std::pair<json, std::string>> cases = {
        {json(nullptr), "actor: expected an object, got null"},
        {json("admin"), "actor: expected an object, got a string"},
        {json::object(), "actor.role: missing (expected a string)"},
        {{{"role", nullptr}}, "actor.role: expected a string, got null"},
        {{{"role", 1}}, "actor.role: expected a string, got a number"},
        {{{"role", "admin"}, {"stores", "s1"}}, "actor.stores: expected an array, got a string"},
        {{{"role", "admin"}, {"stores", {"s1", nullptr}}}, "actor.stores[1]: expected a string or a number, got null"},
        {{{"role", "admin"}, {"stores", {{{"id", "s1"}}}}}, "actor.stores[0]: expected a string or a number, got an object"},
    };
    for (const auto& [actor, message] : cases) {
        auto v = cms->check(order("new"), "processing", nullptr, actor);
        EXPECT_EQ(describe(v.errors), "invalid_actor: " + message + "\n") << actor.dump();
        EXPECT_EQ(describe(cms->allowed(order("new"), actor).errors), "invalid_actor: " + message + "\n");
    }
    EXPECT_TRUE(cms->check(order("new"), "processing", nullptr, {{"role", "admin"}, {"stores", nullptr}}).ok);
}

// ---- planBulk and planBatch ----

TEST_F(Check, PlanBulkIdsAndVerdicts) {
    json orders = json::array({order("new", {{"id", "A-1"}}), order("completed", {{"id", 2}}), order("new", {{"id", drop()}}), json(5),
                               order("new", {{"id", {{"k", 1}}}})});
    auto plan = cms->planBulk(orders, "processing", nullptr, admin());
    ASSERT_EQ(plan.eligible.size(), 3u);
    EXPECT_EQ(plan.eligible[0], "A-1");
    EXPECT_EQ(plan.eligible[1], nullptr);
    EXPECT_EQ(plan.eligible[2], json({{"k", 1}}));
    ASSERT_EQ(plan.blocked.size(), 2u);
    EXPECT_EQ(plan.blocked[0].id, 2);
    EXPECT_EQ(codes(plan.blocked[0].errors), std::vector<std::string>{"terminal_status"});
    EXPECT_EQ(plan.blocked[1].id, nullptr);
    EXPECT_EQ(describe(plan.blocked[1].errors), "invalid_order: order: expected an object, got a number\n");

    auto notArray = cms->planBulk(json::object(), "processing", nullptr, admin());
    EXPECT_TRUE(notArray.eligible.empty());
    ASSERT_EQ(notArray.blocked.size(), 1u);
    EXPECT_EQ(notArray.blocked[0].id, nullptr);
    EXPECT_EQ(describe(notArray.blocked[0].errors), "invalid_order: orders: expected an array, got an object\n");
    auto empty = cms->planBulk(json::array(), "processing", nullptr, admin());
    EXPECT_TRUE(empty.eligible.empty() && empty.blocked.empty());
}

TEST_F(Check, PlanBatchSharesVerdicts) {
    const std::size_t n = 10000;
    orderflow::OrderBatch b;
    b.count = n;
    b.strings = {"", "new", "completed", "s1", "s2", "paid", "shipped"};
    std::vector<std::uint32_t> status(n), store(n), payment(n, 5), begin(n + 1, 0);
    std::vector<std::uint8_t> valid(n, 1);
    for (std::size_t i = 0; i < n; ++i) {
        status[i] = i % 3 == 0 ? 2 : (i % 3 == 1 ? 1 : 6);
        store[i] = i % 2 ? 3 : 4;
        if (i % 1000 == 0) valid[i] = 0;
    }
    b.status = status.data();
    b.store = store.data();
    b.fields = payment.data();  // cms reads one field: payment_status
    b.field_columns = 1;
    b.valid = valid.data();
    b.item_begin = begin.data();
    auto plan = cms->planBatch(b, "processing", nullptr, manager({"s1"}));
    ASSERT_EQ(plan.verdict.size(), n);
    ASSERT_FALSE(plan.verdicts.empty());
    EXPECT_TRUE(plan.verdicts[0].empty());
    EXPECT_LE(plan.verdicts.size(), 8u);
    EXPECT_EQ(describe(plan.verdicts[plan.verdict[0]]), "invalid_order: order is malformed\n");
    EXPECT_EQ(codes(plan.verdicts[plan.verdict[3]]), std::vector<std::string>{"terminal_status"});
    EXPECT_EQ(codes(plan.verdicts[plan.verdict[6]]), (std::vector<std::string>{"terminal_status", "forbidden_store"}));
    EXPECT_EQ(plan.verdict[1], 0u);  // new, s1
    EXPECT_EQ(codes(plan.verdicts[plan.verdict[4]]), std::vector<std::string>{"forbidden_store"});
    EXPECT_EQ(codes(plan.verdicts[plan.verdict[5]]), std::vector<std::string>{"unknown_status"});  // "shipped" is not cms
    // Identical verdicts are shared, not repeated.
    for (std::size_t a = 0; a < plan.verdicts.size(); ++a)
        for (std::size_t c = a + 1; c < plan.verdicts.size(); ++c) EXPECT_NE(describe(plan.verdicts[a]), describe(plan.verdicts[c]));
    // Out-of-range string indices are absent values, never read.
    status[1] = 999;
    auto oob = cms->planBatch(b, "processing", nullptr, admin());
    EXPECT_EQ(describe(oob.verdicts[oob.verdict[1]]), "invalid_order: order is malformed\n");
    // Empty batch, null columns.
    orderflow::OrderBatch none;
    EXPECT_TRUE(cms->planBatch(none, "processing", nullptr, admin()).verdict.empty());
}

// checkEach (the module's per-order path of planBulk) answers exactly what check answers, order by
// order, for well-formed and malformed orders alike.
TEST_F(Check, CheckEachEqualsCheck) {
    const json orders = json::array({
        order("new"),
        order("new", {{"store_id", "s2"}}),
        order("completed"),
        json(7),
        json::array(),
        order("new", {{"items", "x"}}),
        order("processing", {{"payment_status", 3}}),
        order("shipped"),
        order("new", {{"store_id", json::object()}}),
        json::object(),
    });
    for (const json& actor : {admin(), manager(), json(nullptr)}) {
        for (const char* to : {"processing", "completed", "cancelled", "nope"}) {
            const auto each = cms->checkEach(orders, to, {{"notes", "x"}}, actor);
            ASSERT_EQ(each.size(), orders.size());
            for (std::size_t i = 0; i < orders.size(); ++i)
                EXPECT_EQ(describe(each[i]), describe(cms->check(orders[i], to, {{"notes", "x"}}, actor).errors)) << i << " " << to;
        }
    }
    EXPECT_TRUE(cms->checkEach(json::object(), "processing", nullptr, admin()).empty());
}

// An `equals` guard reads any top-level order field the workflow names, not only payment_status:
// here cms with a second guard on `fraud_check` for processing -> completed. check, planBulk and
// planBatch (one column per field, in guardFields() order) give the same verdicts.
TEST_F(Check, EqualsGuardOnAnyOrderField) {
    json doc = json::parse(orderflow::Workflow::builtinSource("cms"));
    doc["guards"].push_back({{"id", "fraud_cleared"},
                             {"kind", "equals"},
                             {"field", "fraud_check"},
                             {"value", "cleared"},
                             {"code", "fraud_hold"},
                             {"message", "This order is held by the fraud check."}});
    for (auto& t : doc["transitions"])
        if (t["from"] == "processing" && t["to"] == "completed") t["guards"].push_back("fraud_cleared");
    auto loaded = orderflow::Workflow::load(doc);
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    const auto& w = *loaded.workflow;
    EXPECT_EQ(w.guardFields(), (std::vector<std::string>{"payment_status", "fraud_check"}));
    EXPECT_EQ(w.document()["guards"][2]["missingMessage"], "This order has no fraud check.");
    EXPECT_EQ(w.batchReads("completed", admin(), "processing"), std::uint32_t{orderflow::kReadsFields});

    const json orders = json::array({
        order("processing", {{"fraud_check", "cleared"}}),
        order("processing", {{"fraud_check", "held"}}),
        order("processing"),
        order("processing", {{"fraud_check", 5}}),
        order("processing", {{"fraud_check", "held"}, {"payment_status", "due"}}),
        order("processing", {{"fraud_check", nullptr}, {"payment_status", drop()}}),
    });
    const std::vector<std::string> expected = {
        "",
        "fraud_hold: This order is held by the fraud check.\n",
        "fraud_hold: This order has no fraud check.\n",
        "invalid_order: order.fraud_check: expected a string, got a number\n",
        "payment_required: Payment has not been settled for this order: it can be completed once it is paid.\n"
        "fraud_hold: This order is held by the fraud check.\n",
        "payment_required: This order has no payment status: it can be completed once it is paid.\n"
        "fraud_hold: This order has no fraud check.\n",
    };
    BatchColumns cols;
    for (std::size_t i = 0; i < orders.size(); ++i) {
        EXPECT_EQ(describe(w.check(orders[i], "completed", nullptr, admin()).errors), expected[i]) << i;
        const json& o = orders[i];
        auto text = [&](const char* key) { return o.contains(key) && o[key].is_string() ? cols.intern(o[key].get<std::string>()) : 0u; };
        const bool valid = i != 3;  // what the facade does: a field that is not a string goes the per-order way
        cols.add(valid, cols.intern("processing"), 0, {text("payment_status"), text("fraud_check")}, nullptr);
    }
    const auto bulk = w.planBulk(orders, "completed", nullptr, admin());
    EXPECT_EQ(bulk.eligible.size(), 1u);
    ASSERT_EQ(bulk.blocked.size(), orders.size() - 1);
    for (std::size_t i = 1; i < orders.size(); ++i) EXPECT_EQ(describe(bulk.blocked[i - 1].errors), expected[i]) << i;
    const auto batch = w.planBatch(cols.batch(), "completed", nullptr, admin());
    ASSERT_EQ(batch.verdict.size(), orders.size());
    for (std::size_t i = 0; i < orders.size(); ++i)
        if (i != 3) {
            EXPECT_EQ(describe(batch.verdicts[batch.verdict[i]]), expected[i]) << i;
        }
    // With only the first column given, the second field reads as absent.
    orderflow::OrderBatch& b = cols.batch();
    b.field_columns = 1;
    const auto first = w.planBatch(b, "completed", nullptr, admin());
    EXPECT_EQ(describe(first.verdicts[first.verdict[0]]), "fraud_hold: This order has no fraud check.\n");
    // A broken field that the decision does not read never blocks it.
    EXPECT_TRUE(w.check(orders[3], "cancelled", nullptr, admin()).ok);
}

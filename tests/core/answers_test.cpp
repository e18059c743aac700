// The questions the engine answers besides check (issue #15): which stores an actor may see,
// why allowed offers nothing, which fields a target needs for a set of stored statuses, the table
// of the engine's own error codes, and a stock refusal naming its short items (check and planBatch
// alike, the message bounded).
#include <set>

#include "batch_columns.hpp"
#include "support.hpp"

using namespace oftest;
using orderflow::Error;

namespace {

class Answers : public ::testing::Test {
protected:
    void SetUp() override {
        cms = builtin("cms");
        delivery = builtin("delivery");
        ASSERT_TRUE(cms && delivery);
    }
    WorkflowPtr cms, delivery;
};

json newOrder(json items) { return {{"id", 1}, {"status", "new"}, {"store_id", "s1"}, {"items", std::move(items)}}; }
json admin() { return {{"role", "admin"}}; }

std::string reasonOf(const Workflow& w, const json& order, const json& actor) {
    auto a = w.allowed(order, actor);
    if (!a.options.empty()) return a.reason.code.empty() ? "(options)" : "(options with a reason: " + a.reason.code + ")";
    return a.reason.code + ": " + a.reason.message;
}

}  // namespace

// ---- visibleStores / canSee ----

TEST_F(Answers, VisibleStoresFollowTheRoleScope) {
    auto all = cms->visibleStores(admin());
    EXPECT_TRUE(all.all);
    EXPECT_TRUE(all.stores.empty());
    EXPECT_TRUE(all.errors.empty());
    auto reporting = cms->visibleStores({{"role", "reporting"}, {"stores", {"s1"}}});
    EXPECT_TRUE(reporting.all) << "read-only says nothing about what a role sees";

    auto mine = cms->visibleStores({{"role", "store_manager"}, {"stores", {"s2", 7, "s1", "s2"}}});
    EXPECT_FALSE(mine.all);
    EXPECT_EQ(mine.stores, (std::vector<std::string>{"7", "s1", "s2"})) << "as text, sorted, once each";
    EXPECT_TRUE(cms->visibleStores({{"role", "fulfillment"}}).stores.empty());

    auto ghost = cms->visibleStores({{"role", "ghost"}, {"stores", {"s1"}}});
    EXPECT_FALSE(ghost.all);
    EXPECT_TRUE(ghost.stores.empty());
    EXPECT_EQ(describe(ghost.errors), "forbidden_role: \"ghost\" is not a role in CMS orders.\n");
    EXPECT_EQ(codes(cms->visibleStores(json(5)).errors), std::vector<std::string>{"invalid_actor"});
    EXPECT_EQ(codes(cms->visibleStores({{"role", "admin"}, {"stores", "s1"}}).errors), std::vector<std::string>{"invalid_actor"});
}

TEST_F(Answers, CanSeeOneStore) {
    const json manager = {{"role", "store_manager"}, {"stores", {"s1", 7}}};
    EXPECT_TRUE(cms->canSee(manager, "s1"));
    EXPECT_TRUE(cms->canSee(manager, 7));
    EXPECT_TRUE(cms->canSee(manager, "7")) << "store ids compare as text";
    EXPECT_FALSE(cms->canSee(manager, "s2"));
    EXPECT_FALSE(cms->canSee(manager, nullptr)) << "no store: only roles covering every store";
    EXPECT_FALSE(cms->canSee(manager, json::array({"s1"})));
    EXPECT_TRUE(cms->canSee(admin(), "anything"));
    EXPECT_TRUE(cms->canSee(admin(), nullptr));
    EXPECT_FALSE(cms->canSee({{"role", "ghost"}}, "s1"));
    EXPECT_FALSE(cms->canSee(json("admin"), "s1"));
    // canSee agrees with check's forbidden_store for every pair.
    for (const json& store : {json("s1"), json("s2"), json(7), json(nullptr)})
        for (const json& actor : {manager, admin(), json{{"role", "fulfillment"}, {"stores", {"s2"}}}}) {
            json o = {{"status", "new"}, {"store_id", store}, {"items", json::array()}};
            auto c = codes(cms->check(o, "processing", nullptr, actor).errors);
            const bool refused = std::find(c.begin(), c.end(), "forbidden_store") != c.end();
            EXPECT_EQ(cms->canSee(actor, store), !refused) << store << " " << actor;
        }
}

// ---- allowed's reason ----

TEST_F(Answers, AllowedSaysWhyNothingMayChange) {
    const json manager = {{"role", "store_manager"}, {"stores", {"s1"}}};
    EXPECT_EQ(reasonOf(*cms, newOrder(json::array()), manager), "(options)");
    EXPECT_EQ(reasonOf(*cms, {{"status", "completed"}, {"store_id", "s1"}}, manager),
              "terminal_status: Completed is a final status: this order can no longer change.");
    EXPECT_EQ(reasonOf(*cms, {{"status", "new"}}, {{"role", "reporting"}}),
              "read_only: The Reporting User role can view orders but cannot change their status.");
    EXPECT_EQ(reasonOf(*cms, {{"status", "new"}, {"store_id", "s9"}}, manager),
              "forbidden_store: This order belongs to a store you are not assigned to.");
    EXPECT_EQ(reasonOf(*cms, {{"status", "new"}}, manager),
              "forbidden_store: This order has no store, so only roles covering every store may change it.");
    EXPECT_EQ(reasonOf(*cms, {{"status", "new"}}, {{"role", "cashier"}}), "forbidden_role: \"cashier\" is not a role in CMS orders.");
    EXPECT_EQ(reasonOf(*cms, {{"status", "bogus"}}, admin()),
              "unknown_status: Invalid status value. Must be one of: new, processing, ready_for_pickup, completed, cancelled, rejected");
    EXPECT_EQ(reasonOf(*delivery, {{"status", "refunded"}}, admin()), "unknown_status: Refunds are not implemented yet.");
    EXPECT_EQ(reasonOf(*cms, {{"store_id", "s1"}}, manager), "invalid_order: order.status: missing (expected a string)");
    EXPECT_EQ(reasonOf(*cms, {{"status", "new"}}, json(3)), "invalid_actor: actor: expected an object, got a number");
    // A status the role has no way out of (a driver with a confirmed order), and one nobody has.
    EXPECT_EQ(reasonOf(*delivery, {{"status", "confirmed"}, {"store_id", "s1"}}, {{"role", "driver"}, {"stores", {"s1"}}}),
              "forbidden_role: The Driver role may not change an order that is Confirmed.");
    json doc = {{"id", "t"},
                {"name", "T"},
                {"initial", "a"},
                {"statuses", {{{"id", "a"}, {"label", "A"}, {"color", "#000"}}, {{"id", "b"}, {"label", "B"}, {"color", "#000"}}}},
                {"roles", {{{"id", "r"}, {"label", "R"}, {"scope", "all"}}}},
                {"transitions", {{{"from", "a"}, {"to", "b"}, {"roles", {"r"}}}}}};
    auto w = loadOk(doc);
    ASSERT_TRUE(w);
    EXPECT_EQ(reasonOf(*w, {{"status", "b"}}, {{"role", "r"}}), "invalid_transition: No status can follow B.");
}

TEST_F(Answers, EveryReasonCodeIsInTheTableAndMatchesCheck) {
    std::set<std::string> table;
    for (const auto& c : orderflow::errorCodes()) table.insert(std::string(c.code));
    const json manager = {{"role", "store_manager"}, {"stores", {"s1"}}};
    for (const json& o : {json{{"status", "completed"}}, json{{"status", "new"}, {"store_id", "s2"}}, json{{"status", "x"}}})
        for (const json& actor : {manager, json{{"role", "reporting"}}, json{{"role", "nope"}}}) {
            auto a = cms->allowed(o, actor);
            ASSERT_TRUE(a.options.empty());
            EXPECT_TRUE(table.count(a.reason.code)) << a.reason.code;
            // The reason is one of the errors check gives for a change into any status.
            bool found = false;
            for (const auto& s : cms->statuses())
                for (const auto& e : cms->check(o, s.id, nullptr, actor).errors)
                    found = found || (e.code == a.reason.code && e.message == a.reason.message);
            EXPECT_TRUE(found) << o << actor << "\n" << a.reason.message;
        }
}

// ---- requiredFields ----

TEST_F(Answers, RequiredFieldsForStoredStatuses) {
    EXPECT_EQ(cms->requiredFields("rejected", {"new"}), std::vector<std::string>{"rejection_reason"});
    EXPECT_EQ(cms->requiredFields("rejected", {"processing", "completed", "bogus"}), std::vector<std::string>{})
        << "no transition, terminal, unknown: nothing";
    EXPECT_EQ(cms->requiredFields("rejected", {"processing", "new", "new"}), std::vector<std::string>{"rejection_reason"});
    EXPECT_EQ(cms->requiredFields("processing", {"new"}), std::vector<std::string>{});
    EXPECT_EQ(cms->requiredFields("nowhere", {"new"}), std::vector<std::string>{});
    json doc = {{"id", "t"},
                {"name", "T"},
                {"initial", "a"},
                {"statuses",
                 {{{"id", "a"}, {"label", "A"}, {"color", "#000"}},
                  {{"id", "b"}, {"label", "B"}, {"color", "#000"}},
                  {{"id", "c"}, {"label", "C"}, {"color", "#000"}}}},
                {"aliases", {{"old_a", {{"to", "a"}}}}},
                {"roles", {{{"id", "r"}, {"label", "R"}, {"scope", "all"}}}},
                {"fields",
                 {{{"id", "x"}, {"label", "X"}, {"type", "text"}},
                  {{"id", "y"}, {"label", "Y"}, {"type", "text"}},
                  {{"id", "z"}, {"label", "Z"}, {"type", "text"}}}},
                {"transitions",
                 {{{"from", "a"}, {"to", "c"}, {"roles", {"r"}}, {"requires", {"z", "x"}}},
                  {{"from", "b"}, {"to", "c"}, {"roles", {"r"}}, {"requires", {"y"}}},
                  {{"from", "a"}, {"to", "b"}, {"roles", {"r"}}}}}};
    auto w = loadOk(doc);
    ASSERT_TRUE(w);
    EXPECT_EQ(w->requiredFields("c", {"b", "old_a"}), (std::vector<std::string>{"x", "y", "z"})) << "legacy values read; field order";
    EXPECT_EQ(w->requiredFields("c", {"b"}), std::vector<std::string>{"y"});
    // The same fields check reports missing for these statuses.
    std::set<std::string> missing;
    for (const char* s : {"b", "old_a"})
        for (const auto& e : w->check({{"status", s}}, "c", nullptr, {{"role", "r"}}).errors)
            if (e.code == "missing_field") missing.insert(e.field);
    EXPECT_EQ(missing, (std::set<std::string>{"x", "y", "z"}));
}

// ---- the code table ----

TEST_F(Answers, ErrorCodeTable) {
    const auto& t = orderflow::errorCodes();
    std::set<std::string> seen;
    std::set<std::string> permission;
    for (const auto& c : t) {
        EXPECT_TRUE(seen.insert(std::string(c.code)).second) << c.code;
        EXPECT_FALSE(c.message.empty());
        EXPECT_EQ(c.message.back(), '.');
        if (c.permission) permission.insert(std::string(c.code));
    }
    EXPECT_EQ(permission, (std::set<std::string>{"invalid_actor", "read_only", "forbidden_role", "forbidden_store"}));
    // Every code check answers with, apart from the workflow's guard codes, is in the table.
    const json actors[] = {admin(), {{"role", "reporting"}}, {{"role", "ghost"}}, {{"role", "store_manager"}, {"stores", {"s2"}}}, json(1)};
    const json orders[] = {{{"status", "new"}, {"store_id", "s1"}},
                           {{"status", "completed"}},
                           {{"status", "x"}},
                           json("o"),
                           newOrder({{{"in_stock", false}}})};
    for (const auto& o : orders)
        for (const auto& a : actors)
            for (const char* to : {"processing", "rejected", "nowhere", "completed"})
                for (const auto& e : cms->check(o, to, {{"bogus", 1}}, a).errors)
                    if (e.code != "payment_required" && e.code != "inventory_short") {
                        EXPECT_TRUE(seen.count(e.code)) << e.code;
                    }
    // A guard may not use one of them.
    for (const auto& c : t) {
        json doc = json::parse(sourceFile("cms"));
        doc["guards"][0]["code"] = std::string(c.code);
        EXPECT_FALSE(Workflow::load(doc).ok()) << c.code;
    }
}

// ---- stock refusals name their short items ----

TEST_F(Answers, StockRefusalNamesShortItems) {
    auto v = cms->check(newOrder({{{"sku", "A-1"}, {"quantity", 2.0}, {"in_stock", 1}},
                                  {{"sku", "B-2"}, {"quantity", 1}, {"in_stock", true}},
                                  {{"sku", 42}, {"quantity", 3}, {"in_stock", false}},
                                  {{"quantity", 1}}}),
                        "processing", nullptr, admin());
    ASSERT_EQ(v.errors.size(), 1u);
    const Error& e = v.errors[0];
    EXPECT_EQ(e.code, "inventory_short");
    EXPECT_EQ(e.message,
              "Some line items are not in stock: restock them or edit the order before processing it. "
              "Not enough in stock: \"A-1\" (2 ordered, 1 in stock), \"42\" (3 ordered) and item 4 (1 ordered).");
    EXPECT_EQ(e.items, json::parse(R"([{"sku": "A-1", "quantity": 2, "available": 1, "index": 0},
                                         {"sku": "42", "quantity": 3, "available": null, "index": 2},
                                         {"sku": null, "quantity": 1, "available": null, "index": 3}])"))
        << "false or absent in_stock: how many is not known; absent quantity counts as 1";
    // No items at all: the guard's missingMessage, no list.
    auto none = cms->check({{"status", "new"}}, "processing", nullptr, admin());
    ASSERT_EQ(none.errors.size(), 1u);
    EXPECT_TRUE(none.errors[0].items.is_null());
}

TEST_F(Answers, StockRefusalMessageIsBounded) {
    json items = json::array();
    for (int i = 0; i < 2000; ++i) items.push_back({{"sku", std::string(5000, 'x') + std::to_string(i)}, {"quantity", 1}, {"in_stock", 0}});
    auto v = cms->check(newOrder(items), "processing", nullptr, admin());
    ASSERT_EQ(v.errors.size(), 1u);
    EXPECT_EQ(v.errors[0].items.size(), 2000u) << "every short item is carried";
    EXPECT_LT(v.errors[0].message.size(), 1000u);
    EXPECT_NE(v.errors[0].message.find(" and 1995 more."), std::string::npos) << v.errors[0].message;
    EXPECT_EQ(v.errors[0].message.find("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), std::string::npos)
        << "skus as short excerpts";
}

TEST_F(Answers, PlanBatchNamesShortItemsLikeCheck) {
    const std::vector<json> orders = {
        newOrder({{{"sku", "A"}, {"quantity", 2}, {"in_stock", 1}}}),     newOrder({{{"sku", "B"}, {"quantity", 2}, {"in_stock", 1}}}),
        newOrder({{{"sku", "A"}, {"quantity", 2}, {"in_stock", 1}}}),     newOrder({{{"sku", "A"}, {"quantity", 1}, {"in_stock", true}}}),
        newOrder({{{"quantity", 5}, {"in_stock", false}}, {{"sku", 9}}}),
    };
    BatchColumns cols;
    for (const auto& o : orders) cols.add(true, cols.intern("new"), cols.intern("s1"), {}, &o["items"]);
    auto plan = cms->planBatch(cols.batch(), "processing", nullptr, admin());
    for (std::size_t i = 0; i < orders.size(); ++i)
        EXPECT_EQ(describe(plan.verdicts[plan.verdict[i]]), describe(cms->check(orders[i], "processing", nullptr, admin()).errors)) << i;
    EXPECT_EQ(plan.verdict[0], plan.verdict[2]) << "identical refusals still shared";
    EXPECT_NE(plan.verdict[0], plan.verdict[1]);

    // Without the sku column, an order refused for short items is left to check.
    BatchColumns bare;
    for (const auto& o : orders) bare.add(true, bare.intern("new"), bare.intern("s1"), {}, &o["items"]);
    bare.withoutSkus();
    auto left = cms->planBatch(bare.batch(), "processing", nullptr, admin());
    EXPECT_EQ(left.verdict[0], orderflow::kVerdictPerOrder);
    EXPECT_EQ(left.verdict[3], 0u) << "in stock: judged as ever";
    EXPECT_EQ(left.verdict[4], orderflow::kVerdictPerOrder);
}

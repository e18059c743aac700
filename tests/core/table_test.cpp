// Every (from, to) pair of both built-in workflows for every role: allowed, or refused with
// exactly the right codes. The expected tables are written here from the two source documents
// (docs in /work/shared/seeds and DESIGN.md), not read from the engine.
#include <map>
#include <set>

#include "support.hpp"

using namespace oftest;

namespace {

struct Rule {
    std::string from, to;
    std::set<std::string> roles;
    std::string action;
    bool confirm;
    std::vector<std::string> required;
};

struct Expected {
    std::string workflow;
    std::vector<std::string> statuses;
    std::set<std::string> terminal;
    std::vector<std::string> roles;
    std::set<std::string> readOnly;
    std::vector<Rule> rules;  // in the order options are offered
};

// CMS document: New → Processing, Cancelled; Processing → Ready for Pickup, Completed, Cancelled;
// Ready for Pickup → Completed, Cancelled; plus New → Rejected (requires rejection_reason).
// Admin and Store Manager: every transition; Fulfillment: forward moves only; Reporting: none.
Expected cms() {
    const std::set<std::string> all{"admin", "store_manager", "fulfillment"};
    const std::set<std::string> managers{"admin", "store_manager"};
    return {"cms",
            {"new", "processing", "ready_for_pickup", "completed", "cancelled", "rejected"},
            {"completed", "cancelled", "rejected"},
            {"admin", "store_manager", "fulfillment", "reporting"},
            {"reporting"},
            {{"new", "processing", all, "Accept", false, {}},
             {"new", "cancelled", managers, "Cancel", true, {}},
             {"new", "rejected", managers, "Reject", true, {"rejection_reason"}},
             {"processing", "ready_for_pickup", all, "Ready for pickup", false, {}},
             {"processing", "completed", all, "Complete", false, {}},
             {"processing", "cancelled", managers, "Cancel", true, {}},
             {"ready_for_pickup", "completed", all, "Complete", false, {}},
             {"ready_for_pickup", "cancelled", managers, "Cancel", true, {}}}};
}

// Quick reference: pending → confirmed → assigned → in_transit → delivered; any status except
// delivered → cancelled. Admin Panel Actions: Accept, Decline, Next, Cancel. Manager confirms,
// assigns and cancels; the driver moves assigned → in_transit → delivered.
Expected delivery() {
    const std::set<std::string> managers{"admin", "manager"};
    const std::set<std::string> drivers{"admin", "driver"};
    return {"delivery",
            {"pending", "confirmed", "assigned", "in_transit", "delivered", "cancelled"},
            {"delivered", "cancelled"},
            {"admin", "manager", "driver"},
            {},
            {{"pending", "confirmed", managers, "Accept", false, {}},
             {"pending", "cancelled", managers, "Decline", true, {}},
             {"confirmed", "assigned", managers, "Next", false, {}},
             {"confirmed", "cancelled", managers, "Cancel", true, {}},
             {"assigned", "in_transit", drivers, "Next", false, {}},
             {"assigned", "cancelled", managers, "Cancel", true, {}},
             {"in_transit", "delivered", drivers, "Next", false, {}},
             {"in_transit", "cancelled", managers, "Cancel", true, {}}}};
}

// An order that passes every guard, in store s1; an actor assigned to s1.
json goodOrder(const std::string& status) {
    return {{"id", 42},
            {"status", status},
            {"store_id", "s1"},
            {"lock_version", 1},
            {"payment_status", "paid"},
            {"items", {{{"sku", "A"}, {"quantity", 2}, {"in_stock", true}}, {{"sku", "B"}, {"quantity", 1}, {"in_stock", 5}}}}};
}

void checkTable(const Expected& ex) {
    auto w = builtin(ex.workflow);
    ASSERT_TRUE(w);
    int pairs = 0;
    for (const auto& role : ex.roles) {
        const json actor = {{"role", role}, {"stores", {"s1"}}};
        for (const auto& from : ex.statuses) {
            std::vector<std::string> offered;
            for (const auto& to : ex.statuses) {
                const Rule* rule = nullptr;
                for (const auto& r : ex.rules)
                    if (r.from == from && r.to == to) rule = &r;
                json fields = json::object();
                if (rule)
                    for (const auto& f : rule->required) fields[f] = "because";
                std::vector<std::string> want;
                const bool ro = ex.readOnly.count(role) > 0;
                if (ex.terminal.count(from)) want.push_back("terminal_status");
                else if (!rule) want.push_back("invalid_transition");
                if (ro) want.push_back("read_only");
                else if (rule && !rule->roles.count(role)) want.push_back("forbidden_role");
                auto verdict = w->check(goodOrder(from), to, fields, actor);
                EXPECT_EQ(codes(verdict.errors), want) << ex.workflow << " " << role << ": " << from << " -> " << to << "\n"
                                                       << describe(verdict.errors);
                EXPECT_EQ(verdict.ok, want.empty());
                if (want.empty()) offered.push_back(to);
                ++pairs;
            }
            // allowed() offers exactly the permitted targets, in the table's order, with the
            // document's action labels, confirmation and required fields.
            auto allowed = w->allowed(goodOrder(from), actor);
            EXPECT_TRUE(allowed.errors.empty());
            std::vector<std::string> got;
            for (const auto& o : allowed.options) {
                got.push_back(o.id);
                for (const auto& r : ex.rules)
                    if (r.from == from && r.to == o.id) {
                        EXPECT_EQ(o.action, r.action) << from << " -> " << o.id;
                        EXPECT_EQ(o.confirm, r.confirm) << from << " -> " << o.id;
                        EXPECT_EQ(o.required, r.required) << from << " -> " << o.id;
                        EXPECT_NE(std::find(o.optional.begin(), o.optional.end(), "notes"), o.optional.end());
                    }
            }
            std::vector<std::string> wantOffered;
            for (const auto& r : ex.rules)
                if (r.from == from && std::find(offered.begin(), offered.end(), r.to) != offered.end()) wantOffered.push_back(r.to);
            EXPECT_EQ(got, wantOffered) << ex.workflow << " " << role << " from " << from;
            EXPECT_EQ(got, offered) << "allowed() and check() disagree: " << ex.workflow << " " << role << " from " << from;
        }
    }
    EXPECT_EQ(pairs, static_cast<int>(ex.roles.size() * ex.statuses.size() * ex.statuses.size()));
}

}  // namespace

TEST(Table, CmsEveryPairEveryRole) { checkTable(cms()); }
TEST(Table, DeliveryEveryPairEveryRole) { checkTable(delivery()); }

TEST(Table, OptionsCarryLabelsAndColours) {
    auto w = builtin("delivery");
    auto allowed = w->allowed(goodOrder("in_transit"), {{"role", "admin"}});
    ASSERT_EQ(allowed.options.size(), 2u);
    EXPECT_EQ(allowed.options[0].id, "delivered");
    EXPECT_EQ(allowed.options[0].label, "Delivered");
    EXPECT_EQ(allowed.options[0].color, "#4caf50");
    EXPECT_EQ(allowed.options[1].id, "cancelled");
    EXPECT_EQ(allowed.options[1].color, "#f44336");
    auto toTransit = w->allowed(goodOrder("assigned"), {{"role", "driver"}, {"stores", {"s1"}}});
    ASSERT_EQ(toTransit.options.size(), 1u);
    EXPECT_EQ(toTransit.options[0].optional, (std::vector<std::string>{"notes", "tracking_number"}));
}

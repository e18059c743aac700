// Property test: thousands of generated orders (seeded RNG; valid and malformed, legacy statuses,
// numeric and string stores, items with bool/number stock). planBulk must agree with check
// exactly, planBatch (columns built here) must agree too, the test's own reading of "malformed"
// must agree with check's invalid_order, and allowed() must offer exactly the targets check
// accepts apart from fields and guards, each blocked by check's first refusal about the order.
#include <cmath>
#include <iomanip>
#include <random>
#include <sstream>

#include "batch_columns.hpp"
#include "support.hpp"

using namespace oftest;
using orderflow::Error;

namespace {

class Gen {
public:
    explicit Gen(std::uint32_t seed, const Workflow& w) : rng_(seed) {
        for (const auto& s : w.statuses()) statuses_.push_back(s.id);
        const json& doc = w.document();
        for (auto it = doc["aliases"].begin(); it != doc["aliases"].end(); ++it) legacy_.push_back(it.key());
        for (const auto& r : doc["roles"]) roles_.push_back(r["id"].get<std::string>());
    }

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    bool chance(int percent) { return pick(100) < percent; }

    // Orders generated next favour statuses with a transition to `to` (read from the document),
    // so that enough orders are eligible.
    void focus(const Workflow& w, const std::string& to) {
        focus_.clear();
        for (const auto& t : w.document()["transitions"]) {
            if (t["to"] != to) continue;
            if (t["from"] != "*") {
                focus_.push_back(t["from"].get<std::string>());
                continue;
            }
            for (const auto& s : w.statuses())
                if (!s.terminal && s.id != to) focus_.push_back(s.id);
        }
    }

    json status() {
        if (!focus_.empty() && chance(50)) return focus_[static_cast<std::size_t>(pick(static_cast<int>(focus_.size())))];
        const int r = pick(100);
        if (r < 70) return statuses_[static_cast<std::size_t>(pick(static_cast<int>(statuses_.size())))];
        if (r < 82 && !legacy_.empty()) return legacy_[static_cast<std::size_t>(pick(static_cast<int>(legacy_.size())))];
        if (r < 88) return "bogus";
        if (r < 91) return "";
        if (r < 94) return 3;
        if (r < 97) return nullptr;
        return json(json::value_t::discarded);  // absent
    }

    json store() {
        switch (pick(11)) {
            case 0: return json(json::value_t::discarded);
            case 1: return nullptr;
            case 2:
            case 3: return "s1";
            case 4: return "s2";
            case 5: return 7;
            case 6: return 7.0;
            case 7: return 1.5;
            case 8: return "7";
            case 9: return chance(50) ? json(true) : json::array({"s1"});
            default: return "1.5";
        }
    }

    json payment() {
        switch (pick(8)) {
            case 0: return json(json::value_t::discarded);
            case 1: return nullptr;
            case 2:
            case 3:
            case 4: return "paid";
            case 5: return "pending";
            case 6: return "failed";
            default: return chance(70) ? json("paid") : json(5);
        }
    }

    json item() {
        if (chance(2)) return chance(50) ? json(1) : json("A");
        json it = {{"sku", "S" + std::to_string(pick(50))}};
        switch (pick(10)) {
            case 0: break;  // absent quantity
            case 1: it["quantity"] = 0; break;
            case 2:
            case 3: it["quantity"] = 1; break;
            case 4:
            case 5: it["quantity"] = 2; break;
            case 6: it["quantity"] = 2.5; break;
            case 7: it["quantity"] = chance(70) ? json(3) : json(-1); break;
            case 8: it["quantity"] = chance(70) ? json(1) : json("2"); break;
            default: it["quantity"] = chance(80) ? json(4) : json(nullptr); break;
        }
        switch (pick(10)) {
            case 0: break;  // absent
            case 1:
            case 2:
            case 3: it["in_stock"] = true; break;
            case 4: it["in_stock"] = false; break;
            case 5: it["in_stock"] = 0; break;
            case 6: it["in_stock"] = 2; break;
            case 7: it["in_stock"] = 3.5; break;
            case 8: it["in_stock"] = 100; break;
            default: it["in_stock"] = chance(60) ? json(1) : (chance(50) ? json("y") : json(nullptr)); break;
        }
        return it;
    }

    json items() {
        const int r = pick(20);
        if (r == 0) return json(json::value_t::discarded);
        if (r == 1) return nullptr;
        if (r == 2) return "A";
        json list = json::array();
        const int n = pick(3);
        for (int i = 0; i < n; ++i) list.push_back(item());
        return list;
    }

    json order(int i) {
        if (chance(2)) return chance(50) ? json::array() : json("order");
        json o = json::object();
        auto set = [&](const char* k, json v) {
            if (!v.is_discarded()) o[k] = std::move(v);
        };
        set("id", chance(90) ? json(i) : (chance(50) ? json("X-" + std::to_string(i)) : json(json::value_t::discarded)));
        set("status", status());
        set("store_id", store());
        set("lock_version", pick(5));
        set("payment_status", payment());
        set("items", items());
        return o;
    }

    json actor() {
        if (chance(40)) return {{"role", "admin"}};
        const int r = pick(20);
        if (r == 0) return json(5);
        if (r == 1) return {{"role", 5}};
        if (r == 2) return {{"role", "ghost"}};
        if (r == 3) return {{"role", "admin"}, {"stores", {"s1", true}}};
        json a = {{"role", roles_[static_cast<std::size_t>(pick(static_cast<int>(roles_.size())))]}};
        switch (pick(5)) {
            case 0: break;
            case 1: a["stores"] = {"s1"}; break;
            case 2: a["stores"] = {"s1", 7}; break;
            case 3: a["stores"] = {"1.5", "s2"}; break;
            default: a["stores"] = json::array(); break;
        }
        return a;
    }

    std::string target() {
        const int r = pick(10);
        if (r < 7) return statuses_[static_cast<std::size_t>(pick(static_cast<int>(statuses_.size())))];
        if (r < 9 && !legacy_.empty()) return legacy_[static_cast<std::size_t>(pick(static_cast<int>(legacy_.size())))];
        return "nowhere";
    }

    json fields() {
        if (chance(40)) return nullptr;
        switch (pick(9)) {
            case 0: return nullptr;
            case 1: return json::object();
            case 2: return {{"notes", "hi"}};
            case 3: return {{"rejection_reason", "expired ID"}};
            case 4: return {{"rejection_reason", "  "}, {"notes", nullptr}};
            case 5: return {{"tracking_number", "1Z"}};
            case 6: return {{"notes", 5}};
            case 7: return "bad";
            default: return {{"notes", std::string(2500, 'n')}};
        }
    }

private:
    std::mt19937 rng_;
    std::vector<std::string> statuses_, legacy_, roles_, focus_;
};

// The spec's reading of a malformed order, written independently of the engine: the status
// always; the store, the payment state and the items only when `reads` (the engine's batchReads
// for this order's status) names them. Which parts are read is checked on its own below.
bool statusWellFormed(const json& o) { return o.is_object() && o.contains("status") && o["status"].is_string(); }
bool storeWellFormed(const json& o) {
    return !o.contains("store_id") || o["store_id"].is_null() || o["store_id"].is_string() || o["store_id"].is_number();
}
bool paymentWellFormed(const json& o) {
    return !o.contains("payment_status") || o["payment_status"].is_null() || o["payment_status"].is_string();
}
bool itemsWellFormed(const json& o) {
    if (!o.contains("items") || o["items"].is_null()) return true;
    if (!o["items"].is_array()) return false;
    for (const auto& it : o["items"]) {
        if (!it.is_object()) return false;
        if (it.contains("quantity") && !(it["quantity"].is_number() && it["quantity"].get<double>() >= 0)) return false;
        if (it.contains("in_stock") && !it["in_stock"].is_boolean() && !it["in_stock"].is_number()) return false;
    }
    return true;
}
std::uint32_t readsOf(const Workflow& w, const json& o, const std::string& to, const json& actor) {
    return statusWellFormed(o) ? w.batchReads(to, actor, o["status"].get<std::string>()) : 0u;
}
bool wellFormed(const json& o, std::uint32_t reads) {
    return statusWellFormed(o) && (!(reads & orderflow::kReadsStore) || storeWellFormed(o)) &&
           (!(reads & orderflow::kReadsFields) || paymentWellFormed(o)) && (!(reads & orderflow::kReadsItems) || itemsWellFormed(o));
}

std::string storeText(const json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number_integer()) return std::to_string(v.get<long long>());
    const double d = v.get<double>();
    if (d == std::floor(d)) return std::to_string(static_cast<long long>(d));
    std::ostringstream s;
    s << d;  // the generator's fractions (1.5) print exactly
    return s.str();
}

// The batch's columns for these orders. With `onlyRead`, a part is filled in only where the
// order's verdict reads it (batchReads for its status), as the JS facade does; otherwise every
// well-formed part is.
BatchColumns columns(const Workflow& w, const json& orders, const std::string& to, const json& actor, bool onlyRead) {
    BatchColumns c;
    for (const json& o : orders) {
        const std::uint32_t reads = readsOf(w, o, to, actor);
        const bool ok = wellFormed(o, reads);
        const std::uint32_t fill = !ok ? 0u : onlyRead ? reads : 0xffffffffu;
        const bool hasItems = (fill & orderflow::kReadsItems) && itemsWellFormed(o) && o.contains("items") && o["items"].is_array();
        c.add(ok, ok ? c.intern(o["status"].get<std::string>()) : 0,
              (fill & orderflow::kReadsStore) && storeWellFormed(o) && o.contains("store_id") && !o["store_id"].is_null()
                  ? c.intern(storeText(o["store_id"]))
                  : 0,
              {(fill & orderflow::kReadsFields) && o.contains("payment_status") && o["payment_status"].is_string()
                   ? c.intern(o["payment_status"].get<std::string>())
                   : 0},
              hasItems ? &o["items"] : nullptr);
    }
    return c;
}

bool same(const std::vector<Error>& a, const std::vector<Error>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].code != b[i].code || a[i].message != b[i].message || a[i].field != b[i].field) return false;
    return describe(a) == describe(b);  // and the same short items
}

void property(const std::string& id, std::uint32_t seed) {
    auto w = builtin(id);
    ASSERT_TRUE(w);
    Gen gen(seed, *w);
    std::size_t checked = 0, eligible = 0, malformed = 0;
    int failures = 0;
    for (int trial = 0; trial < 60 && failures < 5; ++trial) {
        const json actor = gen.actor();
        const std::string to = gen.target();
        const json fields = gen.fields();
        gen.focus(*w, to);
        json orders = json::array();
        for (int i = 0; i < 100; ++i) orders.push_back(gen.order(trial * 1000 + i));

        const auto bulk = w->planBulk(orders, to, fields, actor);
        BatchColumns cols = columns(*w, orders, to, actor, false);
        const auto batch = w->planBatch(cols.batch(), to, fields, actor);
        ASSERT_EQ(batch.verdict.size(), orders.size());
        ASSERT_TRUE(batch.verdicts.at(0).empty());

        // batchReads: a column it does not name for an order's status never changes that order's
        // verdict, so leaving those out gives the same verdicts.
        // (This one writes its verdicts into a buffer of ours, as the wasm bindings do.)
        BatchColumns cut = columns(*w, orders, to, actor, true);
        std::vector<std::uint32_t> cutVerdict(orders.size(), 0xdeadbeefu);
        cut.batch().verdict_out = cutVerdict.data();
        const auto cutPlan = w->planBatch(cut.batch(), to, fields, actor);
        ASSERT_TRUE(cutPlan.verdict.empty());
        for (std::size_t i = 0; i < orders.size(); ++i)
            if (cutVerdict[i] >= cutPlan.verdicts.size() ||
                describe(cutPlan.verdicts[cutVerdict[i]]) != describe(batch.verdicts[batch.verdict[i]])) {
                ADD_FAILURE() << "batchReads left out a column the verdict reads: order " << orders[i].dump() << " to " << to << " actor "
                              << actor.dump();
                ++failures;
                break;
            }

        std::size_t e = 0, b = 0;
        for (std::size_t i = 0; i < orders.size(); ++i) {
            const json& o = orders[i];
            const auto v = w->check(o, to, fields, actor);
            const std::string ctx = id + " trial " + std::to_string(trial) + " order " + o.dump() + " to " + to + " fields " +
                                    fields.dump() + " actor " + actor.dump() + "\ncheck:\n" + describe(v.errors);
            const json wantId = o.is_object() && o.contains("id") ? o["id"] : json(nullptr);
            // planBulk
            if (v.ok) {
                if (e >= bulk.eligible.size() || bulk.eligible[e] != wantId) {
                    ADD_FAILURE() << "planBulk eligible differs: " << ctx;
                    ++failures;
                }
                ++e;
                ++eligible;
            } else {
                if (b >= bulk.blocked.size() || bulk.blocked[b].id != wantId || !same(bulk.blocked[b].errors, v.errors)) {
                    ADD_FAILURE() << "planBulk blocked differs: " << ctx;
                    ++failures;
                }
                ++b;
            }
            // malformed: the test's own reading agrees with check
            const std::uint32_t reads = readsOf(*w, o, to, actor);
            const bool ok = wellFormed(o, reads);
            // ...and batchReads names exactly what check reads: breaking a part it does not name
            // leaves the verdict as it was; breaking one it names makes the order invalid_order.
            if (statusWellFormed(o)) {
                const std::pair<orderflow::BatchReads, std::pair<const char*, json>> parts[] = {
                    {orderflow::kReadsStore, {"store_id", true}},
                    {orderflow::kReadsFields, {"payment_status", 5}},
                    {orderflow::kReadsItems, {"items", {{{"quantity", "x"}}}}},
                };
                for (const auto& [bit, part] : parts) {
                    json broken = o;
                    broken[part.first] = part.second;
                    const auto bv = w->check(broken, to, fields, actor);
                    if (reads & bit) {
                        if (bv.errors.empty() || bv.errors[0].code != "invalid_order") {
                            ADD_FAILURE() << "broken " << part.first << " not refused: " << ctx;
                            ++failures;
                        }
                    } else if (!same(bv.errors, v.errors)) {
                        ADD_FAILURE() << "broken " << part.first << " changed a verdict that does not read it: " << ctx << "now:\n"
                                      << describe(bv.errors);
                        ++failures;
                    }
                }
            }
            const bool invalid = !v.errors.empty() && v.errors[0].code == "invalid_order";
            if (ok == invalid) {
                ADD_FAILURE() << "wellFormed() and check disagree: " << ctx;
                ++failures;
            }
            // planBatch
            const auto& got = batch.verdicts.at(batch.verdict[i]);
            if (ok) {
                if (!same(got, v.errors)) {
                    ADD_FAILURE() << "planBatch differs: " << ctx << "batch:\n" << describe(got);
                    ++failures;
                }
            } else {
                ++malformed;
                if (got.empty() || got[0].code != "invalid_order" || got[0].message != "order is malformed" ||
                    got.size() != v.errors.size()) {
                    ADD_FAILURE() << "planBatch malformed verdict: " << ctx << "batch:\n" << describe(got);
                    ++failures;
                }
            }
            // allowed: exactly the targets check accepts apart from fields and guards (guards
            // never hide an option, so allowed reads neither payment state nor items: compare
            // with check on the order without any broken ones)
            if (ok && v.errors.size() < 2 && trial % 4 == 0) {
                const auto allowed = w->allowed(o, actor);
                json plain = o;
                if (!paymentWellFormed(plain)) plain.erase("payment_status");
                if (!itemsWellFormed(plain)) plain.erase("items");
                std::vector<std::string> want;
                for (const auto& s : w->statuses()) {
                    bool offered = true;
                    for (const auto& err : w->check(plain, s.id, nullptr, actor).errors)
                        if (err.code != "missing_field" && err.code != "invalid_field" && err.code != "payment_required" &&
                            err.code != "inventory_short")
                            offered = false;
                    if (offered) want.push_back(s.id);
                }
                std::vector<std::string> got2;
                for (const auto& opt : allowed.options) got2.push_back(opt.id);
                std::sort(want.begin(), want.end());
                std::sort(got2.begin(), got2.end());
                const bool actorBad = !v.errors.empty() && v.errors[0].code == "invalid_actor";
                if (!actorBad && got2 != want) {
                    ADD_FAILURE() << "allowed differs from check: " << ctx;
                    ++failures;
                }
                if (actorBad != !allowed.errors.empty()) {
                    ADD_FAILURE() << "allowed errors: " << ctx;
                    ++failures;
                }
            }
            // each offered option is blocked by exactly check's first refusal about the order itself
            // (all but the fields, which allowed does not judge), malformed orders included
            if (trial % 4 == 1) {
                for (const auto& opt : w->allowed(o, actor).options) {
                    std::vector<Error> want;
                    for (const auto& err : w->check(o, opt.id, nullptr, actor).errors)
                        if (err.code != "missing_field") want.push_back(err);
                    if (want.size() > 1) want.resize(1);
                    std::vector<Error> got;
                    if (!opt.blocked.code.empty()) got.push_back(opt.blocked);
                    if (!same(got, want)) {
                        ADD_FAILURE() << "option " << opt.id << " blocked differs from check: " << ctx << "blocked:\n" << describe(got);
                        ++failures;
                    }
                }
            }
            ++checked;
        }
        EXPECT_EQ(e, bulk.eligible.size());
        EXPECT_EQ(b, bulk.blocked.size());
    }
    // The generator reaches both outcomes in quantity.
    EXPECT_GT(eligible, checked / 25) << "too few eligible orders generated";
    EXPECT_GT(malformed, checked / 50) << "too few malformed orders generated";
    EXPECT_GE(checked, 6000u);
}

}  // namespace

TEST(Property, CmsBulkAndBatchAgreeWithCheck) { property("cms", 20260101u); }
TEST(Property, DeliveryBulkAndBatchAgreeWithCheck) { property("delivery", 424242u); }
TEST(Property, CmsSecondSeed) { property("cms", 7u); }

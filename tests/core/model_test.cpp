// Model test: random valid workflows (wildcards, scopes, read-only roles, text and choice fields,
// guards, aliases) and random orders, actors, targets and fields. An independent model of the
// check rules, written here from docs/workflow-format.md, predicts the codes (and fields) of
// every verdict; the engine must agree exactly, and planBatch (several guards per transition
// here) must agree with check. allowed must mark each option blocked by the model's first guard.
#include <algorithm>
#include <random>
#include <set>

#include "batch_columns.hpp"
#include "support.hpp"

using namespace oftest;

namespace {

struct ModelTransition {
    int from;  // -1 = "*"
    int to;
    std::set<int> roles;
    std::vector<std::string> required, optional;
    bool payGuard = false, stockGuard = false, fraudGuard = false;  // fraud: an equals guard on another field
};

struct Model {
    int S = 0;
    std::vector<bool> terminal;
    std::vector<bool> assigned, readOnly;  // per role
    std::vector<ModelTransition> transitions;
    json doc;

    std::string sid(int i) const { return "s" + std::to_string(i); }

    const ModelTransition* find(int from, int to) const {
        for (const auto& t : transitions)
            if (t.from == from && t.to == to) return &t;
        if (terminal[static_cast<std::size_t>(from)] || from == to) return nullptr;
        for (const auto& t : transitions)
            if (t.from == -1 && t.to == to) return &t;
        return nullptr;
    }
};

Model randomWorkflow(std::mt19937& rng) {
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    Model m;
    m.S = 2 + pick(5);
    const int firstTerminal = 1 + pick(m.S - 1);  // s0 .. s(firstTerminal-1) non-terminal
    for (int i = 0; i < m.S; ++i) m.terminal.push_back(i >= firstTerminal && pick(3) != 0);
    const int R = 1 + pick(3);
    for (int r = 0; r < R; ++r) {
        m.assigned.push_back(pick(2) == 0);
        m.readOnly.push_back(r > 0 && pick(4) == 0);
    }
    std::vector<int> writers;
    for (int r = 0; r < R; ++r)
        if (!m.readOnly[static_cast<std::size_t>(r)]) writers.push_back(r);
    std::set<std::pair<int, int>> used;
    auto add = [&](int from, int to) {
        if (from == to || !used.insert({from, to}).second) return;
        ModelTransition t;
        t.from = from;
        t.to = to;
        for (int r : writers)
            if (pick(2) == 0) t.roles.insert(r);
        if (t.roles.empty()) t.roles.insert(writers[static_cast<std::size_t>(pick(static_cast<int>(writers.size())))]);
        const int f0 = pick(3), f1 = pick(3);  // 0 none, 1 required, 2 optional
        if (f0 == 1) t.required.push_back("f0");
        if (f0 == 2) t.optional.push_back("f0");
        if (f1 == 1) t.required.push_back("f1");
        if (f1 == 2) t.optional.push_back("f1");
        t.payGuard = pick(3) == 0;
        t.stockGuard = pick(3) == 0;
        t.fraudGuard = pick(4) == 0;
        m.transitions.push_back(std::move(t));
    };
    // reachability: a chain through the non-terminal statuses, each other status from s0 or a
    // non-terminal one
    int lastNonTerminal = 0;
    for (int i = 1; i < m.S; ++i) {
        const int from = pick(2) == 0 ? 0 : lastNonTerminal;
        if (m.terminal[static_cast<std::size_t>(from)]) continue;
        add(from, i);
        if (!m.terminal[static_cast<std::size_t>(i)]) lastNonTerminal = i;
    }
    for (int k = pick(4); k > 0; --k) {
        const int from = pick(m.S), to = pick(m.S);
        if (!m.terminal[static_cast<std::size_t>(from)]) add(from, to);
    }
    if (pick(2) == 0) add(-1, pick(m.S));

    json statuses = json::array();
    for (int i = 0; i < m.S; ++i)
        statuses.push_back({{"id", m.sid(i)},
                            {"label", "S" + std::to_string(i)},
                            {"color", "#123"},
                            {"terminal", bool(m.terminal[static_cast<std::size_t>(i)])}});
    json roles = json::array();
    for (int r = 0; r < R; ++r)
        roles.push_back({{"id", "r" + std::to_string(r)},
                         {"label", "R" + std::to_string(r)},
                         {"scope", m.assigned[static_cast<std::size_t>(r)] ? "assigned" : "all"},
                         {"readOnly", bool(m.readOnly[static_cast<std::size_t>(r)])}});
    json transitions = json::array();
    for (const auto& t : m.transitions) {
        json roleIds = json::array();
        for (int r : t.roles) roleIds.push_back("r" + std::to_string(r));
        json guards = json::array();
        if (t.stockGuard) guards.push_back("stock");
        if (t.payGuard) guards.push_back("pay");
        if (t.fraudGuard) guards.push_back("fraud");
        transitions.push_back({{"from", t.from < 0 ? std::string("*") : m.sid(t.from)},
                               {"to", m.sid(t.to)},
                               {"roles", roleIds},
                               {"requires", t.required},
                               {"optional", t.optional},
                               {"guards", guards}});
    }
    m.doc = {{"id", "model"},
             {"name", "Model"},
             {"initial", "s0"},
             {"statuses", statuses},
             {"roles", roles},
             {"aliases", {{"old", {{"to", "s1"}}}, {"gone", {{"to", nullptr}, {"message", "Gone."}}}}},
             {"fields",
              {{{"id", "f0"}, {"label", "F0"}, {"type", "text"}, {"maxLength", 5}},
               {{"id", "f1"}, {"label", "F1"}, {"type", "choice"}, {"values", {"a", "b"}}}}},
             {"guards",
              {{{"id", "pay"},
                {"kind", "equals"},
                {"field", "payment_status"},
                {"value", "paid"},
                {"code", "payment_required"},
                {"message", "Pay."}},
               {{"id", "stock"}, {"kind", "items_in_stock"}, {"code", "inventory_short"}, {"message", "Stock."}},
               {{"id", "fraud"},
                {"kind", "equals"},
                {"field", "fraud_check"},
                {"value", "cleared"},
                {"code", "fraud_hold"},
                {"message", "Held."}}}},
             {"transitions", transitions}};
    return m;
}

using Expected = std::vector<std::pair<std::string, std::string>>;  // (code, field)

bool blank(const json& v) {
    if (!v.is_string()) return false;
    for (char c : v.get<std::string>())
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
    return true;
}

Expected predict(const Model& m, const json& order, const std::string& to, const json& fields, const json& actor) {
    Expected out;
    const std::string st = order["status"].get<std::string>();
    int cur = -1;
    bool curGone = false, curUnknown = false;
    for (int i = 0; i < m.S; ++i)
        if (st == m.sid(i)) cur = i;
    if (cur < 0) {
        if (st == "old") cur = 1;
        else if (st == "gone") curGone = true;
        else curUnknown = true;
    }
    int target = -1;
    for (int i = 0; i < m.S; ++i)
        if (to == m.sid(i)) target = i;
    if (curGone || curUnknown) out.push_back({"unknown_status", ""});
    if (target < 0 && !curUnknown) out.push_back({"unknown_status", ""});
    const ModelTransition* t = nullptr;
    if (cur >= 0) {
        if (m.terminal[static_cast<std::size_t>(cur)]) out.push_back({"terminal_status", ""});
        else if (target >= 0) {
            t = m.find(cur, target);
            if (!t) out.push_back({"invalid_transition", ""});
        }
    }
    const std::string roleId = actor["role"].get<std::string>();
    int role = -1;
    for (std::size_t r = 0; r < m.assigned.size(); ++r)
        if (roleId == "r" + std::to_string(r)) role = static_cast<int>(r);
    if (role < 0) out.push_back({"forbidden_role", ""});
    else {
        if (m.readOnly[static_cast<std::size_t>(role)]) out.push_back({"read_only", ""});
        else if (t && !t->roles.count(role)) out.push_back({"forbidden_role", ""});
        if (m.assigned[static_cast<std::size_t>(role)]) {
            const bool has = order.contains("store_id");
            bool mine = false;
            if (has && actor.contains("stores"))
                for (const auto& s : actor["stores"]) mine = mine || s == order["store_id"];
            if (!mine) out.push_back({"forbidden_store", ""});
        }
    }
    if (t)
        for (const auto& r : t->required) {
            const bool present = fields.is_object() && fields.contains(r) && !fields[r].is_null() && !blank(fields[r]);
            if (!present) out.push_back({"missing_field", r});
        }
    if (!fields.is_null() && !fields.is_object()) out.push_back({"invalid_field", ""});
    if (fields.is_object())
        for (auto it = fields.begin(); it != fields.end(); ++it) {
            const std::string& k = it.key();
            const json& v = it.value();
            if (k != "f0" && k != "f1") {
                out.push_back({"invalid_field", k});
                continue;
            }
            if (v.is_null()) continue;
            bool required = false, applies = true;
            if (t) {
                required = std::count(t->required.begin(), t->required.end(), k) > 0;
                applies = required || std::count(t->optional.begin(), t->optional.end(), k) > 0;
            }
            if (!applies) {
                out.push_back({"invalid_field", k});
                continue;
            }
            if (blank(v) && (required || k == "f1")) continue;
            if (k == "f1") {
                if (!(v == "a" || v == "b")) out.push_back({"invalid_field", k});
                continue;
            }
            if (!v.is_string()) {
                out.push_back({"invalid_field", k});
                continue;
            }
            const std::string s = v.get<std::string>();
            if (s.size() > 5) out.push_back({"invalid_field", k});  // ASCII values only here
            if (std::any_of(s.begin(), s.end(),
                            [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\r' && c != '\t'; }))
                out.push_back({"invalid_field", k});
        }
    if (t) {
        if (t->payGuard && !(order.contains("payment_status") && order["payment_status"] == "paid"))
            out.push_back({"payment_required", ""});
        if (t->stockGuard) {
            bool ok = order.contains("items");
            if (ok)
                for (const auto& it : order["items"]) {
                    const double q = it.contains("quantity") ? it["quantity"].get<double>() : 1;
                    const json& s = it["in_stock"];
                    ok = ok && (s.is_boolean() ? s.get<bool>() : s.get<double>() >= q);
                }
            if (!ok) out.push_back({"inventory_short", ""});
        }
        if (t->fraudGuard && !(order.contains("fraud_check") && order["fraud_check"] == "cleared")) out.push_back({"fraud_hold", ""});
    }
    return out;
}

// planBatch over the same (well-formed) orders, columns built here: one per guard field, in
// guardFields() order.
orderflow::BatchPlan batchOf(const Workflow& w, const json& orders, const std::string& to, const json& fields, const json& actor) {
    BatchColumns c;
    for (const auto& o : orders) {
        std::vector<std::uint32_t> values;
        for (const auto& f : w.guardFields()) values.push_back(o.contains(f) ? c.intern(o[f].get<std::string>()) : 0);
        c.add(true, c.intern(o["status"].get<std::string>()), o.contains("store_id") ? c.intern(o["store_id"].get<std::string>()) : 0,
              values, o.contains("items") ? &o["items"] : nullptr);
    }
    return w.planBatch(c.batch(), to, fields, actor);
}

}  // namespace

TEST(Model, RandomWorkflowsAgreeWithAnIndependentModel) {
    std::mt19937 rng(99);
    auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
    const std::vector<json> fieldSets = {nullptr,
                                         nullptr,
                                         nullptr,
                                         json::object(),
                                         {{"f0", "fine"}, {"f1", "a"}},
                                         {{"f0", "abc"}},
                                         {{"f0", "abcdefg"}},
                                         {{"f0", "  "}},
                                         {{"f1", "a"}},
                                         {{"f1", "c"}},
                                         {{"f1", ""}},
                                         {{"x", 1}},
                                         {{"f0", 5}},
                                         "str",
                                         {{"f0", "a\x01"}},
                                         {{"f0", "ok"}, {"f1", "b"}},
                                         {{"f0", nullptr}}};
    int workflows = 0, verdicts = 0, eligible = 0, options = 0, blocked = 0;
    for (int wf = 0; wf < 150; ++wf) {
        Model m = randomWorkflow(rng);
        auto loaded = Workflow::load(m.doc);
        ASSERT_TRUE(loaded.ok()) << loaded.error() << "\n" << m.doc.dump(2);
        const Workflow& w = *loaded.workflow;
        ++workflows;
        for (int trial = 0; trial < 20; ++trial) {
            json actor = {{"role", pick(6) == 0 ? std::string("ghost") : "r" + std::to_string(pick(static_cast<int>(m.assigned.size())))}};
            if (pick(4)) actor["stores"] = pick(3) ? json::array({"A", "B"}) : json::array({"A"});
            std::string to = pick(8) == 0 ? (pick(2) ? "old" : "zzz") : m.sid(pick(m.S));
            const json& fields = fieldSets[static_cast<std::size_t>(pick(static_cast<int>(fieldSets.size())))];
            // Half of the orders start where a transition to the target exists (so that enough
            // are eligible); the model's own find() picks them.
            std::vector<int> sources;
            for (int i = 0; i < m.S; ++i)
                for (int j = 0; j < m.S; ++j)
                    if (to == m.sid(j) && m.find(i, j)) sources.push_back(i);
            json orders = json::array();
            for (int k = 0; k < 10; ++k) {
                json o = {{"id", k}};
                const int s = pick(12);
                o["status"] = s < 9 ? m.sid(s % m.S) : (s == 9 ? "old" : (s == 10 ? "gone" : "zzz"));
                if (!sources.empty() && pick(2))
                    o["status"] = m.sid(sources[static_cast<std::size_t>(pick(static_cast<int>(sources.size())))]);
                if (pick(4)) o["store_id"] = pick(2) ? "A" : "B";
                if (pick(4)) o["payment_status"] = pick(2) ? "paid" : "due";
                if (pick(4)) o["fraud_check"] = pick(2) ? "cleared" : "held";
                if (pick(5)) {
                    o["items"] = json::array();
                    for (int n = pick(3); n > 0; --n) {
                        json item = {{"in_stock", pick(3) == 0 ? json(pick(2) == 0) : json(pick(4))}};
                        if (pick(2)) item["quantity"] = pick(4);
                        o["items"].push_back(item);
                    }
                }
                orders.push_back(o);
            }
            const auto batch = batchOf(w, orders, to, fields, actor);
            ASSERT_EQ(batch.verdict.size(), orders.size());
            for (std::size_t i = 0; i < orders.size(); ++i) {
                const json& o = orders[i];
                const auto v = w.check(o, to, fields, actor);
                ASSERT_EQ(describe(batch.verdicts[batch.verdict[i]]), describe(v.errors))
                    << "planBatch differs from check: workflow " << m.doc.dump() << "\norder " << o.dump() << " to " << to;
                Expected got;
                for (const auto& e : v.errors) got.push_back({e.code, e.field});
                const Expected want = predict(m, o, to, fields, actor);
                ASSERT_EQ(got, want) << "workflow " << m.doc.dump() << "\norder " << o.dump() << " to " << to << " fields " << fields.dump()
                                     << " actor " << actor.dump() << "\n"
                                     << describe(v.errors);
                ++verdicts;
                if (v.ok) ++eligible;
                // allowed marks an option blocked by the first guard the model says refuses it
                for (const auto& opt : w.allowed(o, actor).options) {
                    std::string refusal;
                    for (const auto& [code, field] : predict(m, o, opt.id, nullptr, actor))
                        if (code != "missing_field") {
                            refusal = code;
                            break;
                        }
                    ASSERT_EQ(opt.blocked.code, refusal)
                        << "workflow " << m.doc.dump() << "\norder " << o.dump() << " option " << opt.id << " actor " << actor.dump();
                    ++options;
                    if (!refusal.empty()) ++blocked;
                }
            }
        }
    }
    EXPECT_EQ(workflows, 150);
    EXPECT_GT(eligible, verdicts / 40) << eligible << " of " << verdicts;
    EXPECT_GT(blocked, options / 20) << blocked << " of " << options << " options blocked";
    EXPECT_GT(options - blocked, options / 5) << blocked << " of " << options << " options blocked";
}

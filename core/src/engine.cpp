// The engine: normalize, allowed, check, planBulk, planBatch. Every answer is a value; nothing
// here throws (types are checked before values are read). See docs/workflow-format.md for the
// semantics, in particular the fixed order of error codes.
// About 500 lines, kept as one file on purpose: the Evaluator's reading of an order and the public
// answers that drive it share the order of codes and the order readers (file-local helpers); split,
// that order would have to be kept in two places. Loading lives in load/, guard kinds in guards.cpp,
// planBatch in batch.cpp, the engine's own words in answers.cpp.
#include <algorithm>
#include <limits>
#include <map>

#include "answers.hpp"
#include "evaluator.hpp"

namespace orderflow {
using namespace detail;

namespace {

constexpr std::size_t kMaxUnknownKeysNamed = 10;

constexpr std::size_t kMaxIdDepth = 64;

// True when v nests arrays/objects at most `limit` levels deep (iterative: no recursion on input).
bool shallow(const json& v, std::size_t limit) {
    if (!v.is_structured()) return true;
    std::vector<std::pair<const json*, std::size_t>> todo{{&v, 1}};
    while (!todo.empty()) {
        auto [x, depth] = todo.back();
        todo.pop_back();
        if (depth > limit) return false;
        for (const auto& child : *x)
            if (child.is_structured()) todo.push_back({&child, depth + 1});
    }
    return true;
}

// An order is read only as far as the decision needs it (docs/workflow-format.md, "The engine's
// answers"): its status always; its store when the role is store-scoped; what a guard reads (a
// field, the items: guards.cpp) only when the transition asked about has that guard. So a broken
// part the decision does not read (say an item's quantity, when cancelling) never blocks it, and a
// broken part it does read is named in the refusal. Each reader returns "" or the message naming
// the path.

std::string readStatus(const json& o, OrderView& v) {
    if (!o.is_object()) return std::string("order: expected an object, got ") + kindOf(o);
    // planBulk copies ids, and copying a JSON value recurses: refuse absurdly nested ones.
    if (auto id = o.find("id"); id != o.end() && !shallow(*id, kMaxIdDepth))
        return "order.id: nested deeper than " + std::to_string(kMaxIdDepth) + " levels";
    auto st = o.find("status");
    if (st == o.end()) return "order.status: missing (expected a string)";
    if (!st->is_string()) return std::string("order.status: expected a string, got ") + kindOf(*st);
    v.status = *st->get_ptr<const std::string*>();
    return {};
}

std::string readStore(const json& o, OrderView& v) {
    auto store = o.find("store_id");
    if (store == o.end() || store->is_null()) return {};
    if (store->is_string()) v.store = *store->get_ptr<const std::string*>();
    else if (storeIdText(*store, v.storeBuf)) v.store = v.storeBuf;
    else return std::string("order.store_id: expected a string or a number, got ") + kindOf(*store);
    v.hasStore = true;
    return {};
}

// The items of a (well-formed, see readItems) `items` array that are not known to be in stock, as
// itemInStock (guards.cpp) judges them. The sku is read only for naming: a string, or a number as its text;
// anything else (or absent) leaves it "", and never makes the order malformed.
json shortItems(const json& items) {
    json out = json::array();
    std::string sku;
    for (std::size_t j = 0; j < items.size(); ++j) {
        const json& item = items[j];
        if (itemInStock(item)) continue;
        double quantity = 1, available = std::numeric_limits<double>::quiet_NaN();
        if (auto k = item.find("sku"); k == item.end() || !storeIdText(*k, sku)) sku.clear();
        if (auto q = item.find("quantity"); q != item.end()) quantity = q->get<double>();
        if (auto st = item.find("in_stock"); st != item.end() && st->is_number()) available = st->get<double>();
        out.push_back(shortItem(j, sku, quantity, available));
    }
    return out;
}

std::string joinList(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
}

}  // namespace

// ---- Evaluator (declared in evaluator.hpp) ----

std::string detail::serializeErrors(const std::vector<Error>& errs) {
    std::string k;
    for (const auto& e : errs) {
        k += e.code;
        k += '\x1f';
        k += e.message;
        k += '\x1f';
        k += e.field;
        if (!e.items.is_null()) {
            k += '\x1f';
            k += jsonDump(e.items);
        }
        k += '\x1e';
    }
    return k;
}

std::uint64_t Evaluator::guardOutcomes(int t, const OrderView& v) const {
    std::uint64_t out = 0;
    const auto& tr = w_.transitions[static_cast<std::size_t>(t)];
    for (std::size_t g = 0; g < w_.guards.size(); ++g) {
        if (!(tr.guards >> g & 1u)) continue;
        const auto& gd = w_.guards[g];
        out |= std::uint64_t{gd.kind->judge(gd, v)} << (2 * g);
    }
    return out;
}

std::string Evaluator::readGuarded(int t, const json& order, OrderView& v) const {
    const auto& tr = w_.transitions[static_cast<std::size_t>(t)];
    for (std::size_t k = 0; k < kGuardKindCount; ++k)
        for (std::size_t g = 0; g < w_.guards.size(); ++g) {
            const auto& gd = w_.guards[g];
            if (!(tr.guards >> g & 1u) || gd.kind != &kGuardKinds[k]) continue;
            std::string bad = gd.kind->read(order, gd, v);
            if (!bad.empty()) return bad;
        }
    return {};
}

void Evaluator::appendGuards(int t, std::uint64_t outcomes, std::vector<Error>& out, json* shorts) const {
    const auto& tr = w_.transitions[static_cast<std::size_t>(t)];
    for (std::size_t g = 0; g < w_.guards.size(); ++g) {
        if (!(tr.guards >> g & 1u)) continue;
        const auto o = outcomes >> (2 * g) & 3u;
        if (o == kPass) continue;
        const auto& gd = w_.guards[g];
        if (gd.kind->reads == kReadsItems && o == kFail && shorts && shorts->is_array()) {
            out.push_back({gd.code, shortItemsMessage(gd.message, *shorts), "", std::move(*shorts)});
            continue;
        }
        out.push_back({gd.code, o == kMissing ? gd.missingMessage : gd.message, ""});
    }
}

std::uint32_t Evaluator::reads(int fromKey) const {
    if (actorBad_) return 0;
    std::uint32_t r = readsStore() ? std::uint32_t{kReadsStore} : 0u;
    const int t = transitionFor(fromKey);
    if (t < 0) return r;
    const auto& tr = w_.transitions[static_cast<std::size_t>(t)];
    for (std::size_t g = 0; g < w_.guards.size(); ++g)
        if (tr.guards >> g & 1u) r |= w_.guards[g].kind->reads;
    return r;
}

std::vector<Error> Evaluator::evaluate(const json& order) {
    std::vector<Error> errs;
    OrderView v;
    std::string bad = readStatus(order, v);
    int fromKey = -1;
    if (bad.empty()) {
        fromKey = w_.statusKey(v.status);
        const std::uint32_t r = reads(fromKey);
        if (r & kReadsStore) bad = readStore(order, v);
        if (bad.empty() && (r & (kReadsFields | kReadsItems))) bad = readGuarded(transitionFor(fromKey), order, v);
    }
    if (!bad.empty()) errs.push_back({"invalid_order", std::move(bad), ""});
    if (actorBad_) errs.push_back(actorError_);
    if (!errs.empty()) return errs;
    errs = base(fromKey, storeState(v.hasStore, v.store));
    const int t = transitionFor(fromKey);
    if (t >= 0) appendGuardErrors(t, v, errs);
    return errs;
}

void Evaluator::appendGuardErrors(int t, const OrderView& v, std::vector<Error>& out) const {
    const std::uint64_t outcomes = guardOutcomes(t, v);
    json shorts;
    if (outcomes && v.items) shorts = shortItems(*v.items);
    appendGuards(t, outcomes, out, &shorts);
}

void Evaluator::readActor(const json& a) {
    actorBad_ = true;
    if (!a.is_object()) {
        actorError_ = {"invalid_actor", std::string("actor: expected an object, got ") + kindOf(a), ""};
        return;
    }
    auto r = a.find("role");
    if (r == a.end()) {
        actorError_ = {"invalid_actor", "actor.role: missing (expected a string)", ""};
        return;
    }
    if (!r->is_string()) {
        actorError_ = {"invalid_actor", std::string("actor.role: expected a string, got ") + kindOf(*r), ""};
        return;
    }
    auto s = a.find("stores");
    if (s != a.end() && !s->is_null()) {
        if (!s->is_array()) {
            actorError_ = {"invalid_actor", std::string("actor.stores: expected an array, got ") + kindOf(*s), ""};
            return;
        }
        for (std::size_t i = 0; i < s->size(); ++i) {
            std::string text;
            if (!storeIdText((*s)[i], text)) {
                actorError_ = {"invalid_actor",
                               "actor.stores[" + std::to_string(i) + "]: expected a string or a number, got " + kindOf((*s)[i]), ""};
                return;
            }
            stores_.push_back(std::move(text));
        }
        std::sort(stores_.begin(), stores_.end());
    }
    actorBad_ = false;
    const auto& role = *r->get_ptr<const std::string*>();
    auto it = w_.roleIndex.find(role);
    role_ = it == w_.roleIndex.end() ? -1 : it->second;
    if (role_ < 0) roleExcerpt_ = quoteExcerpt(role);
}

std::vector<Error> Evaluator::computeBase(int fromKey, int storeState) {
    std::vector<Error> errs;
    const auto& M = w_.messages;
    if (fromKey >= S_) {
        const int a = fromKey - S_;
        errs.push_back({"unknown_status",
                        a < static_cast<int>(w_.aliases.size()) ? w_.aliases[static_cast<std::size_t>(a)].message : w_.invalidStatusText,
                        ""});
    }
    if (target_ < 0 && (errs.empty() || errs.back().message != w_.invalidStatusText))
        errs.push_back({"unknown_status", w_.invalidStatusText, ""});
    int t = -1;
    if (fromKey < S_) {
        if (w_.statuses[static_cast<std::size_t>(fromKey)].terminal)
            errs.push_back({"terminal_status", render(M[kMsgTerminalStatus], {{"from", statusLabel(fromKey)}}), ""});
        else if (target_ >= 0) {
            t = w_.transitionIndex(fromKey, target_);
            if (t < 0)
                errs.push_back({"invalid_transition",
                                render(M[kMsgInvalidTransition], {{"from", statusLabel(fromKey)}, {"to", statusLabel(target_)}}), ""});
        }
    }
    if (role_ < 0) {
        errs.push_back({"forbidden_role", render(M[kMsgUnknownRole], {{"role", roleExcerpt_}, {"workflow", w_.name}}), ""});
    } else {
        const auto& role = w_.roles[static_cast<std::size_t>(role_)];
        if (role.readOnly) errs.push_back({"read_only", render(M[kMsgReadOnly], {{"role", role.label}}), ""});
        else if (t >= 0 && !(w_.transitions[static_cast<std::size_t>(t)].roles >> role_ & 1u))
            errs.push_back(
                {"forbidden_role",
                 render(M[kMsgForbiddenRole], {{"role", role.label}, {"from", statusLabel(fromKey)}, {"to", statusLabel(target_)}}), ""});
        if (storeState == 1) errs.push_back({"forbidden_store", M[kMsgForbiddenStore], ""});
        if (storeState == 2) errs.push_back({"forbidden_store", M[kMsgForbiddenStoreNone], ""});
    }
    const auto& fe = fieldErrors(t);
    errs.insert(errs.end(), fe.begin(), fe.end());
    return errs;
}

const std::vector<Error>& Evaluator::fieldErrors(int t) {
    auto found = fieldCache_.find(t);
    if (found != fieldCache_.end()) return found->second;
    std::vector<Error> errs;
    const auto& M = w_.messages;
    const TransitionDef* tr = t >= 0 ? &w_.transitions[static_cast<std::size_t>(t)] : nullptr;
    const std::string toLabel = target_ >= 0 ? statusLabel(target_) : std::string();
    const bool isObject = fields_.is_object();
    if (tr) {
        for (int f : tr->required) {
            const auto& fd = w_.fields[static_cast<std::size_t>(f)];
            bool missing = true;
            if (isObject) {
                auto v = fields_.find(fd.id);
                if (v != fields_.end() && !v->is_null()) missing = v->is_string() && isBlank(*v->get_ptr<const std::string*>());
            }
            if (missing) errs.push_back({"missing_field", render(M[kMsgMissingField], {{"field", fd.label}, {"to", toLabel}}), fd.id});
        }
    }
    if (!fields_.is_null() && !isObject) {
        errs.push_back({"invalid_field", M[kMsgFieldsNotObject], ""});
    } else if (isObject) {
        std::size_t unknown = 0;
        for (auto it = fields_.begin(); it != fields_.end(); ++it) {
            const std::string& key = it.key();
            const json& v = it.value();
            auto fi = w_.fieldIndex.find(key);
            if (fi == w_.fieldIndex.end()) {
                // A hostile body may hold thousands of keys: name the first few only.
                if (++unknown <= kMaxUnknownKeysNamed)
                    errs.push_back({"invalid_field", render(M[kMsgFieldUnknown], {{"key", quoteExcerpt(key)}, {"workflow", w_.name}}),
                                    validId(key) ? key : std::string()});
                continue;
            }
            if (v.is_null()) continue;
            const auto& fd = w_.fields[static_cast<std::size_t>(fi->second)];
            if (tr && !(tr->fieldsAllowed >> fi->second & 1u)) {
                errs.push_back({"invalid_field", render(M[kMsgFieldNotApplicable], {{"field", fd.label}, {"to", toLabel}}), fd.id});
                continue;
            }
            const bool required = tr && std::find(tr->required.begin(), tr->required.end(), fi->second) != tr->required.end();
            if (v.is_string() && isBlank(*v.get_ptr<const std::string*>()) && (required || fd.choice)) continue;
            if (fd.choice) {
                if (!v.is_string() || std::find(fd.values.begin(), fd.values.end(), *v.get_ptr<const std::string*>()) == fd.values.end())
                    errs.push_back(
                        {"invalid_field", render(M[kMsgFieldChoice], {{"field", fd.label}, {"values", joinList(fd.values)}}), fd.id});
                continue;
            }
            if (!v.is_string()) {
                errs.push_back({"invalid_field", render(M[kMsgFieldTypeText], {{"field", fd.label}}), fd.id});
                continue;
            }
            const auto& s = *v.get_ptr<const std::string*>();
            if (!validUtf8(s)) {
                errs.push_back({"invalid_field", render(M[kMsgFieldEncoding], {{"field", fd.label}}), fd.id});
                continue;
            }
            if (utf8Length(s) > fd.maxLength)
                errs.push_back(
                    {"invalid_field", render(M[kMsgFieldTooLong], {{"field", fd.label}, {"max", std::to_string(fd.maxLength)}}), fd.id});
            if (hasControl(s)) errs.push_back({"invalid_field", render(M[kMsgFieldControl], {{"field", fd.label}}), fd.id});
        }
        if (unknown > kMaxUnknownKeysNamed)
            errs.push_back(
                {"invalid_field",
                 render(M[kMsgFieldUnknownMore], {{"count", std::to_string(unknown - kMaxUnknownKeysNamed)}, {"workflow", w_.name}}), ""});
    }
    return fieldCache_.emplace(t, std::move(errs)).first->second;
}

Normalized Workflow::normalize(std::string_view value) const {
    Normalized n;
    const Impl& w = *impl_;
    const int k = w.statusKey(value);
    if (k < w.S()) {
        n.ok = true;
        n.status = w.statuses[static_cast<std::size_t>(k)].id;
        return n;
    }
    const int a = k - w.S();
    n.error = {"unknown_status",
               a < static_cast<int>(w.aliases.size()) ? w.aliases[static_cast<std::size_t>(a)].message : w.invalidStatusText, ""};
    return n;
}

Allowed Workflow::allowed(const json& order, const json& actor) const {
    Allowed out;
    const Impl& w = *impl_;
    static const json kNoFields;
    Evaluator ev(w, {}, kNoFields, actor);
    OrderView v;
    // Guards never hide an option (they mark it blocked, below), so only the status and
    // (store-scoped roles) the store decide whether the order offers any.
    std::string bad = readStatus(order, v);
    if (bad.empty() && ev.readsStore()) bad = readStore(order, v);
    if (!bad.empty()) out.errors.push_back({"invalid_order", std::move(bad), ""});
    if (ev.actorBad()) out.errors.push_back(ev.actorError());
    if (!out.errors.empty()) {
        out.reason = out.errors.front();
        return out;
    }
    // Why nothing may change, in check's order of codes; the texts are check's own.
    const auto& M = w.messages;
    const int from = w.statusKey(v.status);
    if (from >= w.S()) {
        out.reason = normalize(v.status).error;
        return out;
    }
    const std::string& fromLabel = w.statuses[static_cast<std::size_t>(from)].label;
    if (w.statuses[static_cast<std::size_t>(from)].terminal) {
        out.reason = {"terminal_status", render(M[kMsgTerminalStatus], {{"from", fromLabel}}), ""};
        return out;
    }
    const int role = ev.role();
    if (role < 0) {
        out.reason = {"forbidden_role", render(M[kMsgUnknownRole], {{"role", ev.roleExcerpt()}, {"workflow", w.name}}), ""};
        return out;
    }
    const auto& roleDef = w.roles[static_cast<std::size_t>(role)];
    if (roleDef.readOnly) {
        out.reason = {"read_only", render(M[kMsgReadOnly], {{"role", roleDef.label}}), ""};
        return out;
    }
    if (const int store = ev.storeState(v.hasStore, v.store); store != 0) {
        out.reason = {"forbidden_store", M[store == 1 ? kMsgForbiddenStore : kMsgForbiddenStoreNone], ""};
        return out;
    }
    bool anyOut = false;
    for (std::size_t ti = 0; ti < w.transitions.size(); ++ti) {
        const auto& t = w.transitions[ti];
        if (t.from != from) continue;
        anyOut = true;
        if (!(t.roles >> role & 1u)) continue;
        const Status& s = w.statuses[static_cast<std::size_t>(t.to)];
        Option o;
        o.id = s.id;
        o.label = s.label;
        o.color = s.color;
        o.action = t.action;
        for (int f : t.required) o.required.push_back(w.fields[static_cast<std::size_t>(f)].id);
        for (int f : t.optional) o.optional.push_back(w.fields[static_cast<std::size_t>(f)].id);
        o.confirm = t.confirm;
        if (t.guards) {
            // check's first refusal about the order's own data for this change: invalid_order
            // when a part its guards read is malformed, else the first failing guard.
            OrderView g;
            const int tIndex = static_cast<int>(ti);
            std::vector<Error> refused{{"invalid_order", ev.readGuarded(tIndex, order, g), ""}};
            if (refused[0].message.empty()) {
                refused.clear();
                ev.appendGuardErrors(tIndex, g, refused);
            }
            if (!refused.empty()) o.blocked = std::move(refused[0]);
        }
        out.options.push_back(std::move(o));
    }
    if (out.options.empty())
        out.reason = {anyOut ? "forbidden_role" : "invalid_transition", noOptionsText(anyOut, roleDef.label, fromLabel), ""};
    return out;
}

StoreScope Workflow::visibleStores(const json& actor) const {
    StoreScope out;
    const Impl& w = *impl_;
    static const json kNoFields;
    Evaluator ev(w, {}, kNoFields, actor);
    if (ev.actorBad()) {
        out.errors.push_back(ev.actorError());
        return out;
    }
    const int role = ev.role();
    if (role < 0) {
        out.errors.push_back(
            {"forbidden_role", render(w.messages[kMsgUnknownRole], {{"role", ev.roleExcerpt()}, {"workflow", w.name}}), ""});
        return out;
    }
    out.all = !w.roles[static_cast<std::size_t>(role)].assigned;
    if (!out.all) {
        out.stores = ev.stores();
        out.stores.erase(std::unique(out.stores.begin(), out.stores.end()), out.stores.end());
    }
    return out;
}

bool Workflow::canSee(const json& actor, const json& storeId) const {
    const StoreScope scope = visibleStores(actor);
    if (!scope.errors.empty() || scope.all) return scope.errors.empty();
    std::string text;
    return storeIdText(storeId, text) && std::binary_search(scope.stores.begin(), scope.stores.end(), text);
}

std::vector<std::string> Workflow::requiredFields(std::string_view to, const std::vector<std::string>& statuses) const {
    const Impl& w = *impl_;
    std::vector<std::string> out;
    auto target = w.statusIndex.find(to);
    if (target == w.statusIndex.end()) return out;
    std::uint64_t needed = 0;  // bit per field (at most 64)
    for (const auto& value : statuses) {
        const int from = w.statusKey(value);
        if (from >= w.S() || w.statuses[static_cast<std::size_t>(from)].terminal) continue;
        const int t = w.transitionIndex(from, target->second);
        if (t < 0) continue;
        for (int f : w.transitions[static_cast<std::size_t>(t)].required) needed |= std::uint64_t{1} << f;
    }
    for (std::size_t f = 0; f < w.fields.size(); ++f)
        if (needed >> f & 1u) out.push_back(w.fields[f].id);
    return out;
}

Verdict Workflow::check(const json& order, std::string_view to, const json& fields, const json& actor) const {
    Evaluator ev(*impl_, to, fields, actor);
    Verdict v;
    v.errors = ev.evaluate(order);
    v.ok = v.errors.empty();
    return v;
}

BulkPlan Workflow::planBulk(const json& orders, std::string_view to, const json& fields, const json& actor) const {
    BulkPlan plan;
    if (!orders.is_array()) {
        plan.blocked.push_back({json(nullptr), {{"invalid_order", std::string("orders: expected an array, got ") + kindOf(orders), ""}}});
        return plan;
    }
    Evaluator ev(*impl_, to, fields, actor);
    for (const json& order : orders) {
        json id(nullptr);
        if (order.is_object())
            if (auto it = order.find("id"); it != order.end() && shallow(*it, kMaxIdDepth)) id = *it;
        auto errs = ev.evaluate(order);
        if (errs.empty()) plan.eligible.push_back(std::move(id));
        else plan.blocked.push_back({std::move(id), std::move(errs)});
    }
    return plan;
}

std::vector<std::vector<Error>> Workflow::checkEach(const json& orders, std::string_view to, const json& fields, const json& actor) const {
    std::vector<std::vector<Error>> out;
    if (!orders.is_array()) return out;
    out.reserve(orders.size());
    Evaluator ev(*impl_, to, fields, actor);
    for (const json& order : orders) out.push_back(ev.evaluate(order));
    return out;
}

std::uint32_t Workflow::batchReads(std::string_view to, const json& actor) const {
    // Mirrors planBatch: the store column is read only through storeState (a store-scoped role),
    // the payment and item columns only for the guards of a transition into `to`.
    const Impl& w = *impl_;
    static const json kNoFields;
    Evaluator ev(w, to, kNoFields, actor);
    if (ev.actorBad()) return 0;
    std::uint32_t reads = 0;
    for (int key = 0; key < ev.keys(); ++key) reads |= ev.reads(key);
    return reads;
}

std::uint32_t Workflow::batchReads(std::string_view to, const json& actor, std::string_view status) const {
    static const json kNoFields;
    Evaluator ev(*impl_, to, kNoFields, actor);
    if (ev.actorBad()) return 0;
    return ev.reads(impl_->statusKey(status));
}

}  // namespace orderflow

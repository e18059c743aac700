// Loading and validating a workflow document. Every problem is collected as {path, message};
// with any problem there is no workflow. Nothing here throws (see the JSON_NOEXCEPTION notes in
// docs/workflow-format.md): types are checked before values are read.
#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <set>

#include "internal.hpp"

namespace orderflow {
namespace detail {
struct BuiltinSource {
    std::string_view id;
    std::string_view text;
};
extern const BuiltinSource kBuiltinSources[];
extern const std::size_t kBuiltinSourceCount;
}  // namespace detail

using namespace detail;

namespace {

constexpr std::size_t kMaxProblems = 100;
constexpr int kMaxDepth = 32;
constexpr std::size_t kMaxStatuses = 256, kMaxAliases = 256, kMaxRoles = 64, kMaxFields = 64,
                      kMaxGuards = 32, kMaxTransitions = 4096, kMaxValues = 256, kMaxListed = 64;
constexpr std::size_t kMaxLabel = 200, kMaxText = 2000, kMaxMaxLength = 1000000;
constexpr std::size_t kMaxMessageBytes = 64 * 1024;  // a rendered message, at most (see "messages" below)

const char* const kEngineCodes[] = {"unknown_status", "terminal_status", "invalid_transition",
                                    "forbidden_role", "forbidden_store", "read_only", "missing_field",
                                    "invalid_field", "invalid_order", "invalid_actor"};

std::string at(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}
std::string at(const std::string& path, std::size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string q(std::string_view s) { return quoteExcerpt(s, 64); }

// Reports syntax errors with line and column, and nesting deeper than kMaxDepth, without building
// anything.
struct SyntaxCheck : nlohmann::json_sax<json> {
    int depth = 0;
    bool tooDeep = false;
    bool failed = false;
    std::string what;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool key(string_t&) override { return true; }
    bool start_object(std::size_t) override { return enter(); }
    bool end_object() override { --depth; return true; }
    bool start_array(std::size_t) override { return enter(); }
    bool end_array() override { --depth; return true; }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
        failed = true;
        what = ex.what();
        return false;
    }
    bool enter() {
        if (++depth > kMaxDepth) { tooDeep = true; return false; }
        return true;
    }
};

}  // namespace

struct Loader {
    std::vector<Problem> problems;
    std::size_t dropped = 0;

    void add(std::string path, std::string message) {
        if (problems.size() < kMaxProblems) problems.push_back({std::move(path), std::move(message)});
        else ++dropped;
    }

    const json* get(const json& obj, const char* key) {
        auto it = obj.find(key);
        return it == obj.end() ? nullptr : &*it;
    }

    bool object(const json& v, const std::string& path) {
        if (v.is_object()) return true;
        add(path, "expected an object, got " + kindOf(v));
        return false;
    }

    void keys(const json& obj, const std::string& path, std::initializer_list<const char*> allowed) {
        for (auto it = obj.begin(); it != obj.end(); ++it) {
            bool ok = false;
            const std::string_view k = it.key();
            for (const char* a : allowed)  // the first character first: fewer calls to compare
                if (!k.empty() && k[0] == a[0] && k == a) { ok = true; break; }
            if (!ok) {
                std::string list;
                for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
                add(at(path, validId(it.key()) ? it.key() : q(it.key())), "unknown key (expected one of: " + list + ")");
            }
        }
    }

    // A text value: a string without control characters, at most maxChars characters.
    bool text(const json& v, const std::string& path, std::string& out, std::size_t maxChars, bool allowEmpty = false) {
        return text(v, path, nullptr, out, maxChars, allowEmpty);
    }

    // The same for the value at path.key (key given) or path (key null). The path is written only
    // for a problem: a valid workflow loads without building one per key (fewer allocations).
    bool text(const json& v, const std::string& path, const char* key, std::string& out, std::size_t maxChars,
              bool allowEmpty) {
        auto where = [&] { return key ? at(path, key) : path; };
        if (!v.is_string()) { add(where(), "expected a string, got " + kindOf(v)); return false; }
        const auto& s = *v.get_ptr<const std::string*>();
        if (!validUtf8(s)) { add(where(), "not valid UTF-8"); return false; }
        if (hasControl(s)) { add(where(), "contains control characters"); return false; }
        if (s.empty() && !allowEmpty) { add(where(), "must not be empty"); return false; }
        if (utf8Length(s) > maxChars) { add(where(), "longer than " + std::to_string(maxChars) + " characters"); return false; }
        out = s;
        return true;
    }

    bool textKey(const json& obj, const char* key, const std::string& path, bool required, std::string& out,
                 std::size_t maxChars, bool allowEmpty = false) {
        const json* v = get(obj, key);
        if (!v) {
            if (required) add(at(path, key), "missing (required)");
            return false;
        }
        return text(*v, path, key, out, maxChars, allowEmpty);
    }

    bool idKey(const json& obj, const char* key, const std::string& path, std::string& out) {
        const json* v = get(obj, key);
        if (!v) { add(at(path, key), "missing (required)"); return false; }
        if (!v->is_string()) { add(at(path, key), "expected a string, got " + kindOf(*v)); return false; }
        const auto& s = *v->get_ptr<const std::string*>();
        if (s.empty()) { add(at(path, key), "must not be empty"); return false; }
        if (!validId(s)) {
            add(at(path, key), "invalid id " + q(s) + " (use at most 64 letters, digits, '_', '.', '-', not starting with '.' or '-')");
            return false;
        }
        out = s;
        return true;
    }

    void boolKey(const json& obj, const char* key, const std::string& path, bool& out) {
        const json* v = get(obj, key);
        if (!v) return;
        if (!v->is_boolean()) { add(at(path, key), "expected true or false, got " + kindOf(*v)); return; }
        out = v->get<bool>();
    }

    const json* arrayKey(const json& obj, const char* key, const std::string& path, bool required, std::size_t min,
                         std::size_t max, const char* what) {
        const json* v = get(obj, key);
        if (!v) {
            if (required) add(at(path, key), "missing (required)");
            return nullptr;
        }
        if (!v->is_array()) { add(at(path, key), "expected an array, got " + kindOf(*v)); return nullptr; }
        if (v->size() < min || v->size() > max) {
            add(at(path, key), "expected " + std::to_string(min) + " to " + std::to_string(max) + " " + what + ", got " +
                                   std::to_string(v->size()));
            return v->size() > max ? nullptr : v;
        }
        return v;
    }

    // A list of references (role ids, field ids, guard ids) resolved through `index`.
    std::vector<int> refs(const json& obj, const char* key, const std::string& path, bool required,
                          const std::map<std::string, int, std::less<>>& index, const char* what) {
        std::vector<int> out;
        const json* arr = arrayKey(obj, key, path, required, required ? 1 : 0, kMaxListed, what);
        if (!arr) return out;
        const std::string p = at(path, key);
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const json& v = (*arr)[i];
            if (!v.is_string()) { add(at(p, i), "expected a string, got " + kindOf(v)); continue; }
            const auto& s = *v.get_ptr<const std::string*>();
            auto it = index.find(s);
            if (it == index.end()) {
                std::string w(what);
                if (!w.empty() && w.back() == 's') w.pop_back();
                add(at(p, i), "unknown " + w + " " + q(s));
                continue;
            }
            if (std::find(out.begin(), out.end(), it->second) != out.end()) { add(at(p, i), "listed twice: " + q(s)); continue; }
            out.push_back(it->second);
        }
        return out;
    }

    // `owned`, when given, is the same document handed over by the caller: it becomes the
    // workflow's document() instead of a copy (no copy to make, no parsed value to destroy).
    Loaded run(const json& doc, json* owned = nullptr);
};

Loaded Loader::run(const json& doc, json* owned) {
    Loaded result;
    auto impl = std::make_unique<Workflow::Impl>();
    Workflow::Impl& w = *impl;

    if (!doc.is_object()) {
        add("", "a workflow must be a JSON object, got " + kindOf(doc));
        result.problems = std::move(problems);
        return result;
    }
    keys(doc, "", {"id", "name", "description", "initial", "messages", "statuses", "aliases", "roles", "fields",
                   "guards", "transitions"});
    idKey(doc, "id", "", w.id);
    textKey(doc, "name", "", true, w.name, kMaxLabel);
    std::string scratch;
    textKey(doc, "description", "", false, scratch, kMaxText);

    // statuses
    if (const json* arr = arrayKey(doc, "statuses", "", true, 1, kMaxStatuses, "statuses")) {
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string p = at("statuses", i);
            const json& s = (*arr)[i];
            if (!object(s, p)) continue;
            keys(s, p, {"id", "label", "color", "terminal", "stock", "notify", "description"});
            Status st;
            bool ok = idKey(s, "id", p, st.id);
            textKey(s, "label", p, true, st.label, kMaxLabel);
            if (textKey(s, "color", p, true, st.color, 16) && !validColor(st.color)) {
                add(at(p, "color"), "invalid colour " + q(st.color) + " (use #rgb, #rgba, #rrggbb or #rrggbbaa)");
            }
            boolKey(s, "terminal", p, st.terminal);
            boolKey(s, "notify", p, st.notify);
            if (textKey(s, "stock", p, false, st.stock, 16) && st.stock != "none" && st.stock != "reserved" &&
                st.stock != "consumed") {
                add(at(p, "stock"), "expected \"none\", \"reserved\" or \"consumed\", got " + q(st.stock));
                st.stock = "none";
            }
            if (st.stock.empty()) st.stock = "none";
            textKey(s, "description", p, false, scratch, kMaxText);
            if (!ok) continue;
            auto [it, fresh] = w.statusIndex.emplace(st.id, static_cast<int>(w.statuses.size()));
            if (!fresh) {
                add(at(p, "id"), "duplicate status " + q(st.id));
                continue;
            }
            w.statuses.push_back(std::move(st));
        }
    }
    const int S = static_cast<int>(w.statuses.size());

    // messages
    for (int m = 0; m < kMsgCount; ++m) w.messages[m] = kMsgDefaults[m];
    if (const json* msgs = get(doc, "messages")) {
        if (object(*msgs, "messages")) {
            for (auto it = msgs->begin(); it != msgs->end(); ++it) {
                const std::string p = at("messages", validId(it.key()) ? it.key() : q(it.key()));
                int m = 0;
                while (m < kMsgCount && it.key() != kMsgKeys[m]) ++m;
                if (m == kMsgCount) {
                    add(p, "unknown message template (see docs/workflow-format.md for the keys)");
                    continue;
                }
                std::string t;
                if (!text(it.value(), p, t, kMaxText)) continue;
                const auto allowed = placeholders(kMsgDefaults[m]);
                bool good = true;
                for (const auto& name : placeholders(t)) {
                    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
                        std::string list;
                        for (const auto& a : allowed) list += (list.empty() ? "{" : ", {") + a + "}";
                        add(p, "unknown placeholder {" + name + "}" + (list.empty() ? " (this message takes none)" : " (allowed: " + list + ")"));
                        good = false;
                    }
                }
                if (good) w.messages[m] = t;
            }
        }
    }

    // initial
    if (textKey(doc, "initial", "", true, w.initial, 64)) {
        auto it = w.statusIndex.find(w.initial);
        if (it == w.statusIndex.end()) add("initial", "unknown status " + q(w.initial));
        else if (w.statuses[static_cast<std::size_t>(it->second)].terminal)
            add("initial", "status " + q(w.initial) + " is terminal: orders could never move");
        else w.initialIndex = it->second;
    }

    // aliases
    if (const json* al = get(doc, "aliases")) {
        if (object(*al, "aliases")) {
            if (al->size() > kMaxAliases) {
                add("aliases", "expected at most " + std::to_string(kMaxAliases) + " aliases, got " + std::to_string(al->size()));
            } else {
                for (auto it = al->begin(); it != al->end(); ++it) {
                    const std::string& key = it.key();
                    const std::string p = at("aliases", validId(key) ? key : q(key));
                    if (key.empty()) { add(p, "a legacy value must not be empty"); continue; }
                    if (!validUtf8(key) || hasControl(key) || utf8Length(key) > 64) {
                        add(p, "a legacy value must be at most 64 characters without control characters");
                        continue;
                    }
                    if (w.statusIndex.count(key)) { add(p, "shadows the current status " + q(key)); continue; }
                    const json& a = it.value();
                    if (!object(a, p)) continue;
                    keys(a, p, {"to", "message"});
                    AliasDef def;
                    def.value = key;
                    const json* to = get(a, "to");
                    bool ok = true;
                    if (!to) { add(at(p, "to"), "missing (required: a current status or null)"); ok = false; }
                    else if (to->is_null()) {
                        if (!get(a, "message")) { add(at(p, "message"), "missing (required when \"to\" is null)"); ok = false; }
                    } else if (!to->is_string()) {
                        add(at(p, "to"), "expected a status id or null, got " + kindOf(*to)); ok = false;
                    } else {
                        const auto& t = *to->get_ptr<const std::string*>();
                        auto st = w.statusIndex.find(t);
                        if (st == w.statusIndex.end()) { add(at(p, "to"), "unknown status " + q(t)); ok = false; }
                        else def.to = st->second;
                    }
                    if (get(a, "message") && !textKey(a, "message", p, false, def.message, kMaxText)) ok = false;
                    if (!ok) continue;
                    w.aliasIndex.emplace(key, static_cast<int>(w.aliases.size()));
                    w.aliases.push_back(std::move(def));
                }
            }
        }
    }

    // roles
    if (const json* arr = arrayKey(doc, "roles", "", true, 1, kMaxRoles, "roles")) {
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string p = at("roles", i);
            const json& r = (*arr)[i];
            if (!object(r, p)) continue;
            keys(r, p, {"id", "label", "scope", "readOnly", "description"});
            RoleDef role;
            bool ok = idKey(r, "id", p, role.id);
            textKey(r, "label", p, true, role.label, kMaxLabel);
            std::string scope;
            if (textKey(r, "scope", p, true, scope, 16)) {
                if (scope == "assigned") role.assigned = true;
                else if (scope != "all") add(at(p, "scope"), "expected \"all\" or \"assigned\", got " + q(scope));
            }
            boolKey(r, "readOnly", p, role.readOnly);
            textKey(r, "description", p, false, scratch, kMaxText);
            if (!ok) continue;
            auto [it, fresh] = w.roleIndex.emplace(role.id, static_cast<int>(w.roles.size()));
            if (!fresh) { add(at(p, "id"), "duplicate role " + q(role.id)); continue; }
            w.roles.push_back(std::move(role));
        }
    }

    // fields
    if (const json* arr = arrayKey(doc, "fields", "", false, 0, kMaxFields, "fields")) {
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string p = at("fields", i);
            const json& f = (*arr)[i];
            if (!object(f, p)) continue;
            keys(f, p, {"id", "label", "type", "maxLength", "values", "description"});
            FieldDef field;
            bool ok = idKey(f, "id", p, field.id);
            textKey(f, "label", p, true, field.label, kMaxLabel);
            std::string type;
            if (textKey(f, "type", p, true, type, 16)) {
                if (type == "choice") field.choice = true;
                else if (type != "text") { add(at(p, "type"), "expected \"text\" or \"choice\", got " + q(type)); ok = false; }
            } else {
                ok = false;
            }
            if (const json* ml = get(f, "maxLength")) {
                if (field.choice) add(at(p, "maxLength"), "only a text field takes maxLength");
                else if (!ml->is_number())
                    add(at(p, "maxLength"), "expected a whole number, got " + kindOf(*ml));
                else {
                    const double n = ml->get<double>();
                    if (!(n == std::floor(n))) add(at(p, "maxLength"), "expected a whole number, got " + jsonDump(*ml));
                    else if (n <= 0) add(at(p, "maxLength"), "must be at least 1, got " + jsonDump(*ml));
                    else if (n > static_cast<double>(kMaxMaxLength)) add(at(p, "maxLength"), "must be at most " + std::to_string(kMaxMaxLength));
                    else field.maxLength = static_cast<std::size_t>(n);
                }
            }
            const json* vals = get(f, "values");
            if (field.choice) {
                if (const json* va = arrayKey(f, "values", p, true, 1, kMaxValues, "values")) {
                    for (std::size_t k = 0; k < va->size(); ++k) {
                        std::string v;
                        if (!text((*va)[k], at(at(p, "values"), k), v, kMaxLabel)) continue;
                        if (std::find(field.values.begin(), field.values.end(), v) != field.values.end())
                            add(at(at(p, "values"), k), "listed twice: " + q(v));
                        else field.values.push_back(v);
                    }
                } else {
                    ok = false;
                }
            } else if (vals) {
                add(at(p, "values"), "only a choice field takes values");
            }
            textKey(f, "description", p, false, scratch, kMaxText);
            if (!ok) continue;
            auto [it, fresh] = w.fieldIndex.emplace(field.id, static_cast<int>(w.fields.size()));
            if (!fresh) { add(at(p, "id"), "duplicate field " + q(field.id)); continue; }
            w.fields.push_back(std::move(field));
        }
    }

    // Bound what one refusal can cost: an overridden template that repeats a list placeholder
    // ({statuses} 199 times gave 3.4 MB per refusal) is refused here. Each placeholder counts as the
    // longest text it can stand for in this workflow (labels, lists, quoted excerpts of at most 40
    // characters); checked after fields, whose labels and values it needs.
    if (const json* msgs = get(doc, "messages"); msgs && msgs->is_object()) {
        std::size_t statusList = 0, statusLabel = 0, roleLabel = 256, fieldLabel = 0, valueList = 0;
        for (const auto& st : w.statuses) {
            statusList += st.id.size() + 2;
            statusLabel = std::max(statusLabel, st.label.size());
        }
        for (const auto& r : w.roles) roleLabel = std::max(roleLabel, r.label.size());
        for (const auto& f : w.fields) {
            fieldLabel = std::max(fieldLabel, f.label.size());
            std::size_t list = 0;
            for (const auto& v : f.values) list += v.size() + 2;
            valueList = std::max(valueList, list);
        }
        auto most = [&](const std::string& name) -> std::size_t {
            if (name == "statuses") return statusList;
            if (name == "values") return valueList;
            if (name == "from" || name == "to") return statusLabel;
            if (name == "role") return roleLabel;
            if (name == "field") return fieldLabel;
            if (name == "workflow") return w.name.size();
            if (name == "key") return 256;  // a quoted, escaped excerpt of at most 40 characters
            return 20;                      // {max}, {count}: a number
        };
        for (int m = 0; m < kMsgCount; ++m) {
            if (!msgs->contains(kMsgKeys[m]) || w.messages[m] == kMsgDefaults[m]) continue;
            std::size_t bound = w.messages[m].size();
            for (const auto& name : placeholders(w.messages[m])) bound += most(name);
            if (bound > kMaxMessageBytes)
                add(at("messages", kMsgKeys[m]), "could expand to " + std::to_string(bound) + " bytes per refusal (at most " +
                                                    std::to_string(kMaxMessageBytes) + "); use each placeholder once");
        }
    }

    // guards
    if (const json* arr = arrayKey(doc, "guards", "", false, 0, kMaxGuards, "guards")) {
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string p = at("guards", i);
            const json& g = (*arr)[i];
            if (!object(g, p)) continue;
            keys(g, p, {"id", "kind", "field", "value", "code", "message", "missingMessage", "description"});
            GuardDef guard;
            bool ok = idKey(g, "id", p, guard.id);
            std::string k;
            if (textKey(g, "kind", p, true, k, 32)) {
                if (k == "items_in_stock") {
                    guard.items = true;
                    if (get(g, "field")) add(at(p, "field"), "not used by kind \"items_in_stock\"");
                    if (get(g, "value")) add(at(p, "value"), "not used by kind \"items_in_stock\"");
                } else if (k == "equals") {
                    if (textKey(g, "field", p, true, guard.orderKey, 64) && guard.orderKey != "payment_status") {
                        add(at(p, "field"), "only \"payment_status\" can be read from an order, got " + q(guard.orderKey));
                        ok = false;
                    }
                    if (!textKey(g, "value", p, true, guard.value, kMaxLabel)) ok = false;
                } else {
                    add(at(p, "kind"), "expected \"equals\" or \"items_in_stock\", got " + q(k));
                    ok = false;
                }
            } else {
                ok = false;
            }
            if (textKey(g, "code", p, true, guard.code, 64)) {
                bool lower = true;
                for (char c : guard.code) lower = lower && ((c >= 'a' && c <= 'z') || c == '_');
                if (!lower) add(at(p, "code"), "use lower-case letters and '_' only, got " + q(guard.code));
                for (const char* e : kEngineCodes)
                    if (guard.code == e) add(at(p, "code"), q(guard.code) + " is one of the engine's own codes");
            }
            textKey(g, "message", p, true, guard.message, kMaxText);
            if (!textKey(g, "missingMessage", p, false, guard.missingMessage, kMaxText)) {
                if (guard.items) guard.missingMessage = "This order has no line items.";
                else {
                    std::string words = guard.orderKey;
                    std::replace(words.begin(), words.end(), '_', ' ');
                    guard.missingMessage = "This order has no " + words + ".";
                }
            }
            textKey(g, "description", p, false, scratch, kMaxText);
            if (!ok) continue;
            auto [it, fresh] = w.guardIndexTmp.emplace(guard.id, static_cast<int>(w.guards.size()));
            if (!fresh) { add(at(p, "id"), "duplicate guard " + q(guard.id)); continue; }
            w.guards.push_back(std::move(guard));
        }
    }

    // transitions
    struct Entry {
        int from;  // -2 = "*"
        int to;
        detail::TransitionDef def;
    };
    std::vector<Entry> entries;
    if (const json* arr = arrayKey(doc, "transitions", "", true, 1, kMaxTransitions, "transitions")) {
        std::map<std::pair<int, int>, std::size_t> seen;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const std::string p = at("transitions", i);
            const json& t = (*arr)[i];
            if (!object(t, p)) continue;
            keys(t, p, {"from", "to", "roles", "requires", "optional", "guards", "confirm", "action", "description"});
            Entry e{-1, -1, {}};
            bool ok = true;
            std::string from, to;
            if (textKey(t, "from", p, true, from, 64)) {
                if (from == "*") e.from = -2;
                else if (auto it = w.statusIndex.find(from); it != w.statusIndex.end()) {
                    e.from = it->second;
                    if (w.statuses[static_cast<std::size_t>(e.from)].terminal) {
                        add(at(p, "from"), "status " + q(from) + " is terminal: no transition may leave it");
                        ok = false;
                    }
                } else { add(at(p, "from"), "unknown status " + q(from)); ok = false; }
            } else ok = false;
            if (textKey(t, "to", p, true, to, 64)) {
                if (auto it = w.statusIndex.find(to); it != w.statusIndex.end()) e.to = it->second;
                else { add(at(p, "to"), "unknown status " + q(to)); ok = false; }
            } else ok = false;
            if (ok && e.from == e.to) { add(p, "goes from " + q(from) + " to itself"); ok = false; }
            const auto roles = refs(t, "roles", p, true, w.roleIndex, "roles");
            if (roles.empty()) ok = false;
            for (std::size_t k = 0; k < roles.size(); ++k) {
                const auto& role = w.roles[static_cast<std::size_t>(roles[k])];
                if (role.readOnly) add(at(at(p, "roles"), k), "role " + q(role.id) + " is read-only");
                e.def.roles |= std::uint64_t{1} << roles[k];
            }
            e.def.required = refs(t, "requires", p, false, w.fieldIndex, "fields");
            e.def.optional = refs(t, "optional", p, false, w.fieldIndex, "fields");
            for (int f : e.def.required) {
                if (std::find(e.def.optional.begin(), e.def.optional.end(), f) != e.def.optional.end())
                    add(at(p, "optional"), "field " + q(w.fields[static_cast<std::size_t>(f)].id) + " is also required");
                e.def.fieldsAllowed |= std::uint64_t{1} << f;
            }
            for (int f : e.def.optional) e.def.fieldsAllowed |= std::uint64_t{1} << f;
            for (int g : refs(t, "guards", p, false, w.guardIndexTmp, "guards")) e.def.guards |= std::uint32_t{1} << g;
            boolKey(t, "confirm", p, e.def.confirm);
            if (get(t, "action")) textKey(t, "action", p, false, e.def.action, kMaxLabel, /*allowEmpty=*/true);
            textKey(t, "description", p, false, scratch, kMaxText);
            if (!ok) continue;
            auto [it, fresh] = seen.emplace(std::make_pair(e.from, e.to), i);
            if (!fresh) {
                add(p, "duplicate transition " + q(from) + " -> " + q(to) + " (also transitions[" + std::to_string(it->second) + "])");
                continue;
            }
            e.def.entry = static_cast<int>(i);
            entries.push_back(std::move(e));
        }
    }

    // expand wildcards, build the table, check reachability
    if (problems.empty()) {
        w.table.assign(static_cast<std::size_t>(S * S), -1);
        std::vector<std::vector<bool>> explicitTo(static_cast<std::size_t>(S), std::vector<bool>(static_cast<std::size_t>(S), false));
        for (const auto& e : entries)
            if (e.from >= 0) explicitTo[static_cast<std::size_t>(e.from)][static_cast<std::size_t>(e.to)] = true;
        for (const auto& e : entries) {
            for (int f = 0; f < S; ++f) {
                if (e.from >= 0 ? f != e.from
                                : (w.statuses[static_cast<std::size_t>(f)].terminal || f == e.to ||
                                   explicitTo[static_cast<std::size_t>(f)][static_cast<std::size_t>(e.to)]))
                    continue;
                TransitionDef d = e.def;
                d.from = f;
                d.to = e.to;
                w.table[static_cast<std::size_t>(f * S + e.to)] = static_cast<int>(w.transitions.size());
                w.transitions.push_back(std::move(d));
            }
        }
        std::vector<bool> reached(static_cast<std::size_t>(S), false);
        std::vector<int> todo{w.initialIndex};
        reached[static_cast<std::size_t>(w.initialIndex)] = true;
        while (!todo.empty()) {
            const int f = todo.back();
            todo.pop_back();
            for (int t = 0; t < S; ++t)
                if (!reached[static_cast<std::size_t>(t)] && w.transitionIndex(f, t) >= 0) {
                    reached[static_cast<std::size_t>(t)] = true;
                    todo.push_back(t);
                }
        }
        for (int s = 0; s < S; ++s)
            if (!reached[static_cast<std::size_t>(s)])
                add(at("statuses", static_cast<std::size_t>(s)),
                    "status " + q(w.statuses[static_cast<std::size_t>(s)].id) + " cannot be reached from the initial status " + q(w.initial));
    }

    if (dropped) problems.push_back({"", std::to_string(dropped) + " more problems not shown"});
    if (!problems.empty()) {
        result.problems = std::move(problems);
        return result;
    }

    // The document with every default filled in. Written only now, when every type has been
    // checked: writing into a value of an unexpected type would throw (abort without exceptions).
    // `doc` is not read after this point (it may be the value moved from).
    json out;
    if (owned) out = std::move(*owned);
    else out = doc;
    for (std::size_t i = 0; i < w.statuses.size(); ++i) {
        out["statuses"][i]["terminal"] = w.statuses[i].terminal;
        out["statuses"][i]["notify"] = w.statuses[i].notify;
        out["statuses"][i]["stock"] = w.statuses[i].stock;
    }
    out["messages"] = json::object();
    for (int m = 0; m < kMsgCount; ++m) out["messages"][kMsgKeys[m]] = w.messages[m];
    if (!out.contains("aliases")) out["aliases"] = json::object();
    for (std::size_t i = 0; i < w.roles.size(); ++i) out["roles"][i]["readOnly"] = w.roles[i].readOnly;
    if (!out.contains("fields")) out["fields"] = json::array();
    for (std::size_t i = 0; i < w.fields.size(); ++i)
        if (!w.fields[i].choice) out["fields"][i]["maxLength"] = w.fields[i].maxLength;
    if (!out.contains("guards")) out["guards"] = json::array();
    for (std::size_t i = 0; i < w.guards.size(); ++i) out["guards"][i]["missingMessage"] = w.guards[i].missingMessage;
    for (const auto& e : entries) {
        auto& o = out["transitions"][static_cast<std::size_t>(e.def.entry)];
        if (!o.contains("requires")) o["requires"] = json::array();
        if (!o.contains("optional")) o["optional"] = json::array();
        if (!o.contains("guards")) o["guards"] = json::array();
        o["confirm"] = e.def.confirm;
        o["action"] = e.def.action;
    }

    std::string ids;
    for (const auto& s : w.statuses) ids += (ids.empty() ? "" : ", ") + s.id;
    w.invalidStatusText = render(w.messages[kMsgInvalidStatus], {{"statuses", ids}});
    w.guardIndexTmp.clear();
    w.document = std::move(out);
    result.workflow = WorkflowPtr(new Workflow(std::move(impl)));
    return result;
}

int Workflow::Impl::statusKey(std::string_view value) const {
    if (auto it = statusIndex.find(value); it != statusIndex.end()) return it->second;
    if (auto it = aliasIndex.find(value); it != aliasIndex.end()) {
        const auto& a = aliases[static_cast<std::size_t>(it->second)];
        return a.to >= 0 ? a.to : S() + it->second;
    }
    return S() + static_cast<int>(aliases.size());
}

Workflow::Workflow(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Workflow::~Workflow() = default;

Loaded Workflow::load(const json& document) {
    Loader loader;
    return loader.run(document);
}

Loaded Workflow::load(std::string_view text) {
    Loaded result;
    if (text.size() > kMaxWorkflowBytes) {
        result.problems.push_back({"", "the workflow text is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                                           std::to_string(kMaxWorkflowBytes)});
        return result;
    }
    SyntaxCheck sax;
    json::sax_parse(text.begin(), text.end(), &sax);
    if (sax.tooDeep) {
        result.problems.push_back({"", "nested deeper than " + std::to_string(kMaxDepth) + " levels"});
        return result;
    }
    if (sax.failed) {
        std::string what = sax.what;
        const std::string prefix = "] parse error";
        if (auto pos = what.find(prefix); pos != std::string::npos) what = "invalid JSON" + what.substr(pos + prefix.size());
        if (what.size() > 300) what = what.substr(0, 300) + "...";
        if (!validUtf8(what)) what = jsonDump(json(what));
        result.problems.push_back({"", what});
        return result;
    }
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded()) {
        result.problems.push_back({"", "invalid JSON"});
        return result;
    }
    Loader loader;
    return loader.run(doc, &doc);
}

namespace {

// A built-in workflow is our own small, well-formed file: it is read with the small reader
// (read.cpp), so nlohmann's lexer and parser do not run when a program starts; whatever the
// reader does not take goes the general way, with the same outcome.
Loaded loadBuiltinText(std::string_view text) {
    json doc;
    if (text.size() <= Workflow::kMaxWorkflowBytes && validUtf8(text) && readPlainJson(text, doc, kMaxDepth)) {
        Loader loader;
        return loader.run(doc, &doc);
    }
    return Workflow::load(text);
}

}  // namespace

const std::vector<std::string>& Workflow::builtinIds() {
    static const std::vector<std::string> ids = [] {
        std::vector<std::string> v;
        for (std::size_t i = 0; i < kBuiltinSourceCount; ++i) v.emplace_back(kBuiltinSources[i].id);
        return v;
    }();
    return ids;
}

std::string_view Workflow::builtinSource(std::string_view id) {
    for (std::size_t i = 0; i < kBuiltinSourceCount; ++i)
        if (kBuiltinSources[i].id == id) return kBuiltinSources[i].text;
    return {};
}

Loaded Workflow::builtin(std::string_view id) {
    // Each built-in is parsed and validated on first use, only the one asked for (start-up pays
    // for one workflow, not all of them); the workflow is immutable and shared afterwards.
    struct Slot {
        std::once_flag once;
        Loaded loaded;
    };
    static const std::unique_ptr<Slot[]> slots(new Slot[kBuiltinSourceCount]);
    for (std::size_t i = 0; i < kBuiltinSourceCount; ++i) {
        if (kBuiltinSources[i].id != id) continue;
        Slot& slot = slots[i];
        std::call_once(slot.once, [&] { slot.loaded = loadBuiltinText(kBuiltinSources[i].text); });
        return slot.loaded;
    }
    Loaded result;
    std::string list;
    for (const auto& b : builtinIds()) list += (list.empty() ? "" : ", ") + b;
    result.problems.push_back({"", "no built-in workflow " + quoteExcerpt(id, 64) + " (built-in: " + list + ")"});
    return result;
}

const std::string& Workflow::id() const { return impl_->id; }
const std::string& Workflow::name() const { return impl_->name; }
const std::string& Workflow::initial() const { return impl_->initial; }
const std::vector<Status>& Workflow::statuses() const { return impl_->statuses; }
const json& Workflow::document() const { return impl_->document; }

std::vector<Edge> Workflow::edges() const {
    const Impl& w = *impl_;
    std::vector<Edge> out;
    out.reserve(w.transitions.size());
    for (const auto& t : w.transitions) {
        Edge e{w.statuses[static_cast<std::size_t>(t.from)].id, w.statuses[static_cast<std::size_t>(t.to)].id, t.action, {}};
        for (std::size_t r = 0; r < w.roles.size(); ++r)
            if (t.roles >> r & 1u) e.roles.push_back(w.roles[r].id);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace orderflow

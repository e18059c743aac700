// Section "transitions": the entries as written ("from": "*" kept as one entry; graph.cpp
// expands it).
#include <algorithm>
#include <map>
#include <utility>

#include "loader.hpp"

namespace orderflow {
using namespace detail;

void Loader::transitions(const json& doc) {
    const json* arr = arrayKey(doc, "transitions", "", true, 1, kMaxTransitions, "transitions");
    if (!arr) return;
    std::map<std::pair<int, int>, std::size_t> seen;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string p = at("transitions", i);
        const json& t = (*arr)[i];
        if (!object(t, p)) continue;
        keys(t, p, {"from", "to", "roles", "requires", "optional", "guards", "confirm", "action", "description"});
        TransitionEntry e{-1, -1, {}};
        bool ok = true;
        std::string from, to;
        if (textKey(t, "from", p, true, from, 64)) {
            if (from == "*") e.from = -2;
            else if (auto it = w->statusIndex.find(from); it != w->statusIndex.end()) {
                e.from = it->second;
                if (w->statuses[static_cast<std::size_t>(e.from)].terminal) {
                    add(at(p, "from"), "status " + q(from) + " is terminal: no transition may leave it");
                    ok = false;
                }
            } else {
                add(at(p, "from"), "unknown status " + q(from));
                ok = false;
            }
        } else ok = false;
        if (textKey(t, "to", p, true, to, 64)) {
            if (auto it = w->statusIndex.find(to); it != w->statusIndex.end()) e.to = it->second;
            else {
                add(at(p, "to"), "unknown status " + q(to));
                ok = false;
            }
        } else ok = false;
        if (ok && e.from == e.to) {
            add(p, "goes from " + q(from) + " to itself");
            ok = false;
        }
        const auto roles = refs(t, "roles", p, true, w->roleIndex, "roles");
        if (roles.empty()) ok = false;
        for (std::size_t k = 0; k < roles.size(); ++k) {
            const auto& role = w->roles[static_cast<std::size_t>(roles[k])];
            if (role.readOnly) add(at(at(p, "roles"), k), "role " + q(role.id) + " is read-only");
            e.def.roles |= std::uint64_t{1} << roles[k];
        }
        e.def.required = refs(t, "requires", p, false, w->fieldIndex, "fields");
        e.def.optional = refs(t, "optional", p, false, w->fieldIndex, "fields");
        for (int f : e.def.required) {
            if (std::find(e.def.optional.begin(), e.def.optional.end(), f) != e.def.optional.end())
                add(at(p, "optional"), "field " + q(w->fields[static_cast<std::size_t>(f)].id) + " is also required");
            e.def.fieldsAllowed |= std::uint64_t{1} << f;
        }
        for (int f : e.def.optional) e.def.fieldsAllowed |= std::uint64_t{1} << f;
        for (int g : refs(t, "guards", p, false, w->guardIndexTmp, "guards")) e.def.guards |= std::uint32_t{1} << g;
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

}  // namespace orderflow

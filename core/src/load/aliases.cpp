// Section "aliases": legacy status values an order may still be stored with, each read as a
// current status or (to: null) refused with the workflow's message.
#include "loader.hpp"

namespace orderflow {
using namespace detail;

void Loader::aliases(const json& doc) {
    const json* al = get(doc, "aliases");
    if (!al || !object(*al, "aliases")) return;
    if (al->size() > kMaxAliases) {
        add("aliases", "expected at most " + std::to_string(kMaxAliases) + " aliases, got " + std::to_string(al->size()));
        return;
    }
    for (auto it = al->begin(); it != al->end(); ++it) {
        const std::string& key = it.key();
        const std::string p = at("aliases", validId(key) ? key : q(key));
        if (key.empty()) {
            add(p, "a legacy value must not be empty");
            continue;
        }
        if (!validUtf8(key) || hasControl(key) || utf8Length(key) > 64) {
            add(p, "a legacy value must be at most 64 characters without control characters");
            continue;
        }
        if (w->statusIndex.count(key)) {
            add(p, "shadows the current status " + q(key));
            continue;
        }
        const json& a = it.value();
        if (!object(a, p)) continue;
        keys(a, p, {"to", "message"});
        AliasDef def;
        def.value = key;
        const json* to = get(a, "to");
        bool ok = true;
        if (!to) {
            add(at(p, "to"), "missing (required: a current status or null)");
            ok = false;
        } else if (to->is_null()) {
            if (!get(a, "message")) {
                add(at(p, "message"), "missing (required when \"to\" is null)");
                ok = false;
            }
        } else if (!to->is_string()) {
            add(at(p, "to"), "expected a status id or null, got " + kindOf(*to));
            ok = false;
        } else {
            const auto& t = *to->get_ptr<const std::string*>();
            auto st = w->statusIndex.find(t);
            if (st == w->statusIndex.end()) {
                add(at(p, "to"), "unknown status " + q(t));
                ok = false;
            } else def.to = st->second;
        }
        if (get(a, "message") && !textKey(a, "message", p, false, def.message, kMaxText)) ok = false;
        if (!ok) continue;
        w->aliasIndex.emplace(key, static_cast<int>(w->aliases.size()));
        w->aliases.push_back(std::move(def));
    }
}

}  // namespace orderflow

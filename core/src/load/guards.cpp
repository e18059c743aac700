// Section "guards": conditions on order data a transition may require. What each kind takes and
// reads is in its entry of the guard kinds table (core/src/guards.cpp); this reads what every
// guard has (id, kind, code, messages).
#include <algorithm>

#include "../guards.hpp"
#include "loader.hpp"

namespace orderflow {
using namespace detail;

namespace {
// The keys of a guard entry: id, kind, every kind's own keys (each once), code, messages.
struct GuardKeys {
    static constexpr std::size_t kOwnRoom = 8;  // distinct keys of all kinds together (two so far)
    const char* keys[2 + kOwnRoom + 4];
    std::size_t count = 0, ownFirst = 2, ownLast = 2;
    GuardKeys() {
        keys[count++] = "id";
        keys[count++] = "kind";
        for (std::size_t k = 0; k < kGuardKindCount; ++k)
            for (const char* key : kGuardKinds[k].keys)
                if (key && count < 2 + kOwnRoom && !has(key, ownFirst, count)) keys[count++] = key;
        ownLast = count;
        for (const char* key : {"code", "message", "missingMessage", "description"}) keys[count++] = key;
    }
    bool has(std::string_view key, std::size_t from, std::size_t to) const {
        for (std::size_t i = from; i < to; ++i)
            if (key == keys[i]) return true;
        return false;
    }
};

std::string kindList() {  // "equals" or "items_in_stock"
    std::string out;
    for (std::size_t k = 0; k < kGuardKindCount; ++k)
        out += std::string(k == 0 ? "" : k + 1 == kGuardKindCount ? " or " : ", ") + "\"" + kGuardKinds[k].name + "\"";
    return out;
}
}  // namespace

void Loader::guards(const json& doc) {
    const json* arr = arrayKey(doc, "guards", "", false, 0, kMaxGuards, "guards");
    if (!arr) return;
    const GuardKeys allowed;
    for (std::size_t i = 0; i < arr->size(); ++i) {
        const std::string p = at("guards", i);
        const json& g = (*arr)[i];
        if (!object(g, p)) continue;
        keys(g, p, allowed.keys, allowed.keys + allowed.count);
        GuardDef guard;
        bool ok = idKey(g, "id", p, guard.id);
        std::string k;
        if (textKey(g, "kind", p, true, k, 32)) {
            guard.kind = guardKind(k);
            if (!guard.kind) {
                add(at(p, "kind"), "expected " + kindList() + ", got " + q(k));
                ok = false;
            } else {
                // another kind's keys are not this one's
                for (std::size_t a = allowed.ownFirst; a < allowed.ownLast; ++a) {
                    const char* key = allowed.keys[a];
                    const auto& own = guard.kind->keys;
                    if (!(own[0] && key == std::string_view(own[0])) && !(own[1] && key == std::string_view(own[1])) && get(g, key))
                        add(at(p, key), std::string("not used by kind \"") + guard.kind->name + "\"");
                }
                if (!guard.kind->load(*this, g, p, guard)) ok = false;
            }
        } else {
            ok = false;
        }
        if (textKey(g, "code", p, true, guard.code, 64)) {
            bool lower = true;
            for (char c : guard.code) lower = lower && ((c >= 'a' && c <= 'z') || c == '_');
            if (!lower) add(at(p, "code"), "use lower-case letters and '_' only, got " + q(guard.code));
            for (const auto& c : errorCodes())  // the engine's own codes (core/src/answers.cpp)
                if (guard.code == c.code) add(at(p, "code"), q(guard.code) + " is one of the engine's own codes");
        }
        textKey(g, "message", p, true, guard.message, kMaxText);
        if (!textKey(g, "missingMessage", p, false, guard.missingMessage, kMaxText) && guard.kind)
            guard.missingMessage = guard.kind->missingMessage(guard);
        textKey(g, "description", p, false, scratch, kMaxText);
        if (!ok) continue;
        auto [it, fresh] = w->guardIndexTmp.emplace(guard.id, static_cast<int>(w->guards.size()));
        if (!fresh) {
            add(at(p, "id"), "duplicate guard " + q(guard.id));
            continue;
        }
        if (guard.kind->reads == kReadsFields) {
            auto f = std::find(w->orderFields.begin(), w->orderFields.end(), guard.field);
            guard.slot = static_cast<int>(f - w->orderFields.begin());
            if (f == w->orderFields.end()) w->orderFields.push_back(guard.field);
        }
        w->guards.push_back(std::move(guard));
    }
}

}  // namespace orderflow

// Section "guards": conditions on order data a transition may require.
#include <algorithm>

#include "loader.hpp"

namespace orderflow {
using namespace detail;

namespace {
const char* const kEngineCodes[] = {"unknown_status", "terminal_status", "invalid_transition",
                                    "forbidden_role", "forbidden_store", "read_only", "missing_field",
                                    "invalid_field", "invalid_order", "invalid_actor"};
}  // namespace

void Loader::guards(const json& doc) {
    const json* arr = arrayKey(doc, "guards", "", false, 0, kMaxGuards, "guards");
    if (!arr) return;
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
        auto [it, fresh] = w->guardIndexTmp.emplace(guard.id, static_cast<int>(w->guards.size()));
        if (!fresh) { add(at(p, "id"), "duplicate guard " + q(guard.id)); continue; }
        w->guards.push_back(std::move(guard));
    }
}

}  // namespace orderflow

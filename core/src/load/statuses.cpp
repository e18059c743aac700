// Sections "statuses" and "initial".
#include "loader.hpp"

namespace orderflow {
using namespace detail;

void Loader::statuses(const json& doc) {
    const json* arr = arrayKey(doc, "statuses", "", true, 1, kMaxStatuses, "statuses");
    if (!arr) return;
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
        if (textKey(s, "stock", p, false, st.stock, 16) && st.stock != "none" && st.stock != "reserved" && st.stock != "consumed") {
            add(at(p, "stock"), "expected \"none\", \"reserved\" or \"consumed\", got " + q(st.stock));
            st.stock = "none";
        }
        if (st.stock.empty()) st.stock = "none";
        textKey(s, "description", p, false, scratch, kMaxText);
        if (!ok) continue;
        auto [it, fresh] = w->statusIndex.emplace(st.id, static_cast<int>(w->statuses.size()));
        if (!fresh) {
            add(at(p, "id"), "duplicate status " + q(st.id));
            continue;
        }
        w->statuses.push_back(std::move(st));
    }
}

void Loader::initial(const json& doc) {
    if (!textKey(doc, "initial", "", true, w->initial, 64)) return;
    auto it = w->statusIndex.find(w->initial);
    if (it == w->statusIndex.end()) add("initial", "unknown status " + q(w->initial));
    else if (w->statuses[static_cast<std::size_t>(it->second)].terminal)
        add("initial", "status " + q(w->initial) + " is terminal: orders could never move");
    else w->initialIndex = it->second;
}

}  // namespace orderflow

// After the sections, when every one read cleanly: "from": "*" expanded into one arrow per
// status it applies from, the from x to table built, and every status checked reachable from
// the initial one.
#include "loader.hpp"

namespace orderflow {
using namespace detail;

void Loader::graph() {
    Workflow::Impl& wf = *w;
    const int S = wf.S();
    wf.table.assign(static_cast<std::size_t>(S * S), -1);
    // An explicit transition beats a wildcard to the same target.
    std::vector<std::vector<bool>> explicitTo(static_cast<std::size_t>(S), std::vector<bool>(static_cast<std::size_t>(S), false));
    for (const auto& e : entries)
        if (e.from >= 0) explicitTo[static_cast<std::size_t>(e.from)][static_cast<std::size_t>(e.to)] = true;
    for (const auto& e : entries) {
        for (int f = 0; f < S; ++f) {
            if (e.from >= 0 ? f != e.from
                            : (wf.statuses[static_cast<std::size_t>(f)].terminal || f == e.to ||
                               explicitTo[static_cast<std::size_t>(f)][static_cast<std::size_t>(e.to)]))
                continue;
            TransitionDef d = e.def;
            d.from = f;
            d.to = e.to;
            wf.table[static_cast<std::size_t>(f * S + e.to)] = static_cast<int>(wf.transitions.size());
            wf.transitions.push_back(std::move(d));
        }
    }
    std::vector<bool> reached(static_cast<std::size_t>(S), false);
    std::vector<int> todo{wf.initialIndex};
    reached[static_cast<std::size_t>(wf.initialIndex)] = true;
    while (!todo.empty()) {
        const int f = todo.back();
        todo.pop_back();
        for (int t = 0; t < S; ++t)
            if (!reached[static_cast<std::size_t>(t)] && wf.transitionIndex(f, t) >= 0) {
                reached[static_cast<std::size_t>(t)] = true;
                todo.push_back(t);
            }
    }
    for (int s = 0; s < S; ++s)
        if (!reached[static_cast<std::size_t>(s)])
            add(at("statuses", static_cast<std::size_t>(s)),
                "status " + q(wf.statuses[static_cast<std::size_t>(s)].id) + " cannot be reached from the initial status " + q(wf.initial));
}

}  // namespace orderflow

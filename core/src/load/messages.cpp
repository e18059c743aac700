// Section "messages": the refusal templates a workflow overrides, and the bound on what one
// refusal may cost once its placeholders are filled in.
#include <algorithm>

#include "loader.hpp"

namespace orderflow {
using namespace detail;

void Loader::messages(const json& doc) {
    for (int m = 0; m < kMsgCount; ++m) w->messages[m] = kMsgDefaults[m];
    const json* msgs = get(doc, "messages");
    if (!msgs || !object(*msgs, "messages")) return;
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
        if (good) w->messages[m] = t;
    }
}

// Bound what one refusal can cost: an overridden template that repeats a list placeholder
// ({statuses} 199 times gave 3.4 MB per refusal) is refused here. Each placeholder counts as the
// longest text it can stand for in this workflow (labels, lists, quoted excerpts of at most 40
// characters); checked after fields, whose labels and values it needs.
void Loader::messageSizes(const json& doc) {
    const json* msgs = get(doc, "messages");
    if (!msgs || !msgs->is_object()) return;
    std::size_t statusList = 0, statusLabel = 0, roleLabel = 256, fieldLabel = 0, valueList = 0;
    for (const auto& st : w->statuses) {
        statusList += st.id.size() + 2;
        statusLabel = std::max(statusLabel, st.label.size());
    }
    for (const auto& r : w->roles) roleLabel = std::max(roleLabel, r.label.size());
    for (const auto& f : w->fields) {
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
        if (name == "workflow") return w->name.size();
        if (name == "key") return 256;  // a quoted, escaped excerpt of at most 40 characters
        return 20;                      // {max}, {count}: a number
    };
    for (int m = 0; m < kMsgCount; ++m) {
        if (!msgs->contains(kMsgKeys[m]) || w->messages[m] == kMsgDefaults[m]) continue;
        std::size_t bound = w->messages[m].size();
        for (const auto& name : placeholders(w->messages[m])) bound += most(name);
        if (bound > kMaxMessageBytes)
            add(at("messages", kMsgKeys[m]), "could expand to " + std::to_string(bound) + " bytes per refusal (at most " +
                                                 std::to_string(kMaxMessageBytes) + "); use each placeholder once");
    }
}

}  // namespace orderflow

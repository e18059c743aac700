// The validated document with every default filled in (Workflow::document()).
#include "loader.hpp"

namespace orderflow {
using namespace detail;

// Written only once every type has been checked (no problems): writing into a value of an
// unexpected type would throw (abort without exceptions). `doc` is not read after `owned` is
// moved from (they may be the same value).
json Loader::document(const json& doc, json* owned) const {
    const Workflow::Impl& wf = *w;
    json out;
    if (owned) out = std::move(*owned);
    else out = doc;
    for (std::size_t i = 0; i < wf.statuses.size(); ++i) {
        out["statuses"][i]["terminal"] = wf.statuses[i].terminal;
        out["statuses"][i]["notify"] = wf.statuses[i].notify;
        out["statuses"][i]["stock"] = wf.statuses[i].stock;
    }
    out["messages"] = json::object();
    for (int m = 0; m < kMsgCount; ++m) out["messages"][kMsgKeys[m]] = wf.messages[m];
    if (!out.contains("aliases")) out["aliases"] = json::object();
    for (std::size_t i = 0; i < wf.roles.size(); ++i) out["roles"][i]["readOnly"] = wf.roles[i].readOnly;
    if (!out.contains("fields")) out["fields"] = json::array();
    for (std::size_t i = 0; i < wf.fields.size(); ++i)
        if (!wf.fields[i].choice) out["fields"][i]["maxLength"] = wf.fields[i].maxLength;
    if (!out.contains("guards")) out["guards"] = json::array();
    for (std::size_t i = 0; i < wf.guards.size(); ++i) out["guards"][i]["missingMessage"] = wf.guards[i].missingMessage;
    for (const auto& e : entries) {
        auto& o = out["transitions"][static_cast<std::size_t>(e.def.entry)];
        if (!o.contains("requires")) o["requires"] = json::array();
        if (!o.contains("optional")) o["optional"] = json::array();
        if (!o.contains("guards")) o["guards"] = json::array();
        o["confirm"] = e.def.confirm;
        o["action"] = e.def.action;
    }
    return out;
}

}  // namespace orderflow

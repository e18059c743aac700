// Section "roles": who may act, over which stores, and whether only to read.
#include "loader.hpp"

namespace orderflow {
using namespace detail;

void Loader::roles(const json& doc) {
    const json* arr = arrayKey(doc, "roles", "", true, 1, kMaxRoles, "roles");
    if (!arr) return;
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
        auto [it, fresh] = w->roleIndex.emplace(role.id, static_cast<int>(w->roles.size()));
        if (!fresh) {
            add(at(p, "id"), "duplicate role " + q(role.id));
            continue;
        }
        w->roles.push_back(std::move(role));
    }
}

}  // namespace orderflow

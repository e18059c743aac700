// Section "fields": what staff fill in with a change (text with a maximum length, or a choice).
#include <algorithm>
#include <cmath>

#include "loader.hpp"

namespace orderflow {
using namespace detail;

void Loader::fields(const json& doc) {
    const json* arr = arrayKey(doc, "fields", "", false, 0, kMaxFields, "fields");
    if (!arr) return;
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
            else if (type != "text") {
                add(at(p, "type"), "expected \"text\" or \"choice\", got " + q(type));
                ok = false;
            }
        } else {
            ok = false;
        }
        if (const json* ml = get(f, "maxLength")) {
            if (field.choice) add(at(p, "maxLength"), "only a text field takes maxLength");
            else if (!ml->is_number()) add(at(p, "maxLength"), "expected a whole number, got " + kindOf(*ml));
            else {
                const double n = ml->get<double>();
                if (!(n == std::floor(n))) add(at(p, "maxLength"), "expected a whole number, got " + jsonDump(*ml));
                else if (n <= 0) add(at(p, "maxLength"), "must be at least 1, got " + jsonDump(*ml));
                else if (n > static_cast<double>(kMaxMaxLength))
                    add(at(p, "maxLength"), "must be at most " + std::to_string(kMaxMaxLength));
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
        auto [it, fresh] = w->fieldIndex.emplace(field.id, static_cast<int>(w->fields.size()));
        if (!fresh) {
            add(at(p, "id"), "duplicate field " + q(field.id));
            continue;
        }
        w->fields.push_back(std::move(field));
    }
}

}  // namespace orderflow

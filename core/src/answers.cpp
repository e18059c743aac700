// The engine's own words, in one place: the table of every error code it answers (which ones are
// refusals about permission, and what each means in plain words), the sentence naming a stock
// refusal's short items, and the reasons allowed() gives when it offers nothing that no message
// template covers. Workflows bring the rest of the wording (messages, guard messages).
#include <cmath>

#include "answers.hpp"

namespace orderflow {

std::span<const ErrorCodeInfo> errorCodes() {
    // Add a code here and nowhere else: the loader refuses it as a guard code, the module exports
    // it (flow.errorCodes), and tests check the d.ts ErrorCode union and docs against it.
    static constexpr ErrorCodeInfo table[] = {
        {"invalid_order", false, "The order's data is malformed."},
        {"invalid_actor", true, "Who is asking is not described correctly (role and stores)."},
        {"unknown_status", false, "The status is not one this workflow knows."},
        {"terminal_status", false, "The order is in a final status and can no longer change."},
        {"invalid_transition", false, "The workflow has no step from the order's status to this one."},
        {"read_only", true, "This role may view orders but not change them."},
        {"forbidden_role", true, "This role may not make this change."},
        {"forbidden_store", true, "The order belongs to a store this person is not assigned to."},
        {"missing_field", false, "A field this change requires is missing."},
        {"invalid_field", false, "A field's value is not accepted."},
    };
    return table;
}

namespace detail {

namespace {
constexpr std::size_t kMaxShortNamed = 5;  // items named in the message; then "and N more"

// A count as JavaScript writes it; whole numbers (nearly always) without jsNumberText's search
// for the shortest digits, which is slow by comparison.
std::string countText(double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<std::int64_t>(v));
    return jsNumberText(v);
}
}  // namespace

json shortItem(std::size_t index, std::string_view sku, double quantity, double available) {
    json it = json::object();
    it["sku"] = sku.empty() ? json(nullptr) : json(sku);
    // whole numbers as integers, so that they read "2", not "2.0", wherever they are written
    auto number = [](double v) { return v == std::floor(v) && std::fabs(v) < 9e15 ? json(static_cast<std::int64_t>(v)) : json(v); };
    it["quantity"] = number(quantity);
    it["available"] = std::isnan(available) ? json(nullptr) : number(available);
    it["index"] = index;
    return it;
}

std::string shortItemsMessage(std::string_view guardMessage, const json& items) {
    std::string out(guardMessage);
    if (items.empty()) return out;
    out += " Not enough in stock: ";
    const std::size_t named = std::min(items.size(), kMaxShortNamed);
    for (std::size_t k = 0; k < named; ++k) {
        const json& it = items[k];
        if (k) out += k + 1 == named && named == items.size() ? " and " : ", ";
        const json& sku = it["sku"];
        out += sku.is_string() ? quoteExcerpt(sku.get_ref<const std::string&>())
                               : "item " + std::to_string(it["index"].get<std::size_t>() + 1);
        out += " (" + countText(it["quantity"].get<double>()) + " ordered";
        if (const json& a = it["available"]; a.is_number()) out += ", " + countText(a.get<double>()) + " in stock";
        out += ")";
    }
    if (items.size() > named) out += " and " + std::to_string(items.size() - named) + " more";
    out += ".";
    return out;
}

std::string noOptionsText(bool anyOut, std::string_view roleLabel, std::string_view fromLabel) {
    if (!anyOut) return "No status can follow " + std::string(fromLabel) + ".";
    return "The " + std::string(roleLabel) + " role may not change an order that is " + std::string(fromLabel) + ".";
}

}  // namespace detail
}  // namespace orderflow

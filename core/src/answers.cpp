// The engine's own words, in one place: the table of every error code it answers (which ones are
// refusals about permission, and what each means in plain words), the sentence naming a stock
// refusal's short items, and the reasons allowed() gives when it offers nothing that no message
// template covers. Workflows bring the rest of the wording (messages, guard messages).
#include <cmath>

#include "answers.hpp"

namespace orderflow {

const std::vector<ErrorCodeInfo>& errorCodes() {
    // Add a code here and nowhere else: the loader refuses it as a guard code, the module exports
    // it (flow.errorCodes), and tests check the d.ts ErrorCode union and docs against it.
    static const std::vector<ErrorCodeInfo> table = {
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
}  // namespace

std::string shortItemsMessage(std::string_view guardMessage, const std::vector<ShortItem>& items) {
    std::string out(guardMessage);
    if (items.empty()) return out;
    out += " Not enough in stock: ";
    const std::size_t named = std::min(items.size(), kMaxShortNamed);
    for (std::size_t k = 0; k < named; ++k) {
        const ShortItem& it = items[k];
        if (k) out += k + 1 == named && named == items.size() ? " and " : ", ";
        out += it.sku.empty() ? "item " + std::to_string(it.index + 1) : quoteExcerpt(it.sku);
        out += " (" + jsNumberText(it.quantity) + " ordered";
        if (!std::isnan(it.available)) out += ", " + jsNumberText(it.available) + " in stock";
        out += ")";
    }
    if (items.size() > named) out += " and " + std::to_string(items.size() - named) + " more";
    out += ".";
    return out;
}

std::string serializeShortItems(const std::vector<ShortItem>& items) {
    std::string k;
    for (const auto& it : items) {
        k += std::to_string(it.index); k += '\x1d'; k += it.sku; k += '\x1d';
        k += jsNumberText(it.quantity); k += '\x1d';
        k += std::isnan(it.available) ? std::string("?") : jsNumberText(it.available); k += '\x1c';
    }
    return k;
}

std::string noOptionsText(bool anyOut, std::string_view roleLabel, std::string_view fromLabel) {
    if (!anyOut) return "No status can follow " + std::string(fromLabel) + ".";
    return "The " + std::string(roleLabel) + " role may not change an order that is " + std::string(fromLabel) + ".";
}

}  // namespace detail
}  // namespace orderflow

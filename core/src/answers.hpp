// Internal: the engine's own wording (answers.cpp). Not installed.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "internal.hpp"

namespace orderflow {
namespace detail {

// One short item as Error::items holds it (available NaN: not known).
json shortItem(std::size_t index, std::string_view sku, double quantity, double available);
// A stock guard's message followed by the short items it names ("Not enough in stock: \"A-1\" (2
// ordered, 1 in stock), item 3 (1 ordered) and 4 more."): at most five named, each sku a short
// quoted excerpt, so the message stays bounded whatever the order holds.
std::string shortItemsMessage(std::string_view guardMessage, const json& items);
// allowed()'s reason when no transition leaves the status for the role: `anyOut` says whether any
// role may take one.
std::string noOptionsText(bool anyOut, std::string_view roleLabel, std::string_view fromLabel);

}  // namespace detail
}  // namespace orderflow

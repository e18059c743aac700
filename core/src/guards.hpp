// Internal: the kinds of guard a workflow may use ("equals", "items_in_stock"), as one table.
// A kind says which keys it takes in a guard entry and how they are loaded, its default
// missingMessage, which part of an order it reads and how that part is read and judged, for
// check (a JSON order) and for planBatch (columns). Adding a kind is one entry in guards.cpp;
// a kind reading a part no kind reads yet also needs its column (OrderBatch, columns.js).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "internal.hpp"

namespace orderflow {
struct Loader;

namespace detail {
struct OrderView;

enum Outcome : std::uint64_t { kPass = 0, kFail = 1, kMissing = 2 };

struct GuardKind {
    const char* name;
    const char* keys[2];  // the kind's own keys in a guard entry (besides id, kind, code, messages), or null
    // The part of an order it reads (BatchReads): kReadsFields, the top-level order field the
    // guard names (GuardDef::field, a string; its column GuardDef::slot), or kReadsItems.
    std::uint32_t reads;
    // Reads the kind's own keys of guard entry `g` at `path` into `def`; false when the guard is
    // unusable (the problem is added).
    bool (*load)(Loader& loader, const json& g, const std::string& path, GuardDef& def);
    std::string (*missingMessage)(const GuardDef& def);  // when the workflow gives none
    // Reads the part of `order` the guard reads into `v`: "" or the message naming the broken path
    // (invalid_order).
    std::string (*read)(const json& order, const GuardDef& def, OrderView& v);
    Outcome (*judge)(const GuardDef& def, const OrderView& v);  // on what read() put in v
    // planBatch: kReadsFields kinds judge the field's text (null: absent or null), kReadsItems
    // kinds the order's item columns.
    Outcome (*judgeText)(const GuardDef& def, const std::string* value);
    Outcome (*judgeItems)(const OrderBatch& b, std::size_t i);
};

extern const GuardKind kGuardKinds[];
extern const std::size_t kGuardKindCount;
const GuardKind* guardKind(std::string_view name);  // null when no kind has that name

// Whether a line item (of a well-formed items array) has its quantity (default 1) in stock.
bool itemInStock(const json& item);

// The order keys the engine reads with a meaning of its own: no guard may read them as a field.
bool engineOrderKey(std::string_view key);

}  // namespace detail
}  // namespace orderflow

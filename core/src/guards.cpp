// The kinds of guard, as one table (see guards.hpp): what a guard entry of each kind holds, what
// it reads of an order, and how it judges it, for check and for planBatch alike.
#include "guards.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "evaluator.hpp"
#include "load/loader.hpp"

namespace orderflow {
namespace detail {

namespace {

bool finiteNumber(const json& v, double& out) {
    if (!v.is_number()) return false;
    out = v.get<double>();
    return std::isfinite(out);
}

// ---- equals: the order's `field` (a top-level string) must be `value` ----

bool loadEquals(Loader& L, const json& g, const std::string& p, GuardDef& def) {
    bool ok = true;
    if (L.idKey(g, "field", p, def.field) && engineOrderKey(def.field)) {
        L.add(at(p, "field"), "the engine reads " + q(def.field) + " itself: an equals guard reads another order field");
        ok = false;
    }
    if (!L.textKey(g, "value", p, true, def.value, kMaxLabel)) ok = false;
    return ok;
}

std::string equalsMissing(const GuardDef& def) {
    std::string words = def.field;
    std::replace(words.begin(), words.end(), '_', ' ');
    return "This order has no " + words + ".";
}

std::string readField(const json& o, const GuardDef& def, OrderView& v) {
    v.fields[def.slot] = nullptr;
    auto f = o.find(def.field);
    if (f == o.end() || f->is_null()) return {};
    if (!f->is_string()) return "order." + def.field + ": expected a string, got " + kindOf(*f);
    v.fields[def.slot] = f->get_ptr<const std::string*>();
    return {};
}

Outcome equalsText(const GuardDef& def, const std::string* value) {
    if (!value) return kMissing;
    return *value == def.value ? kPass : kFail;
}

Outcome judgeEquals(const GuardDef& def, const OrderView& v) { return equalsText(def, v.fields[def.slot]); }

// ---- items_in_stock: every line item has at least its quantity (default 1) in stock ----

bool loadItems(Loader&, const json&, const std::string&, GuardDef&) { return true; }

std::string itemsMissing(const GuardDef&) { return "This order has no line items."; }

std::string readItems(const json& o, const GuardDef&, OrderView& v) {
    auto items = o.find("items");
    if (items == o.end() || items->is_null()) return {};
    if (!items->is_array()) return std::string("order.items: expected an array, got ") + kindOf(*items);
    for (std::size_t j = 0; j < items->size(); ++j) {
        const json& it = (*items)[j];
        const std::string p = "order.items[" + std::to_string(j) + "]";
        if (!it.is_object()) return p + ": expected an object, got " + kindOf(it);
        auto q = it.find("quantity");
        double d = 0;
        if (q != it.end()) {
            if (!finiteNumber(*q, d)) return p + ".quantity: expected a finite number >= 0, got " + kindOf(*q);
            if (d < 0) return p + ".quantity: expected a finite number >= 0, got " + jsNumberText(d);
        }
        auto s = it.find("in_stock");
        if (s != it.end() && !s->is_boolean() && !finiteNumber(*s, d))
            return p + ".in_stock: expected true, false or a finite number, got " + kindOf(*s);
    }
    v.items = &*items;
    return {};
}

Outcome judgeItems(const GuardDef&, const OrderView& v) {
    if (!v.items) return kMissing;
    for (const auto& item : *v.items)
        if (!itemInStock(item)) return kFail;
    return kPass;
}

Outcome itemColumns(const OrderBatch& b, std::size_t i) {
    if (b.items_present && !b.items_present[i]) return kMissing;
    if (!b.item_begin) return kPass;
    for (std::uint32_t j = b.item_begin[i]; j < b.item_begin[i + 1]; ++j) {
        const std::uint8_t kind = b.item_stock_kind ? b.item_stock_kind[j] : 0;
        double qty = b.item_quantity ? b.item_quantity[j] : std::numeric_limits<double>::quiet_NaN();
        if (std::isnan(qty)) qty = 1;
        const bool enough = kind == 2 || (kind == 3 && b.item_stock && b.item_stock[j] >= qty);
        if (!enough) return kFail;
    }
    return kPass;
}

}  // namespace

// In the order parts are read and broken ones reported: fields before items.
const GuardKind kGuardKinds[] = {
    {"equals", {"field", "value"}, kReadsFields, loadEquals, equalsMissing, readField, judgeEquals, equalsText, nullptr},
    {"items_in_stock", {nullptr, nullptr}, kReadsItems, loadItems, itemsMissing, readItems, judgeItems, nullptr, itemColumns},
};
const std::size_t kGuardKindCount = sizeof kGuardKinds / sizeof kGuardKinds[0];

bool itemInStock(const json& item) {
    double qty = 1;
    if (auto q = item.find("quantity"); q != item.end()) qty = q->get<double>();
    auto s = item.find("in_stock");
    if (s == item.end()) return false;
    if (s->is_boolean()) return s->get<bool>();
    return s->get<double>() >= qty;
}

const GuardKind* guardKind(std::string_view name) {
    for (const auto& k : kGuardKinds)
        if (name == k.name) return &k;
    return nullptr;
}

bool engineOrderKey(std::string_view key) { return key == "id" || key == "status" || key == "store_id" || key == "items"; }

}  // namespace detail
}  // namespace orderflow

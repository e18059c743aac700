// Test support for tests/core and tests/fuzz: the columns of an orderflow::OrderBatch, built one
// order at a time and laid out as a caller of planBatch lays them out (OrderBatch in
// orderflow/workflow.hpp). What goes into them (which orders are valid, which parts are filled
// in, a store id's text) stays with each test, which decides it its own way.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "orderflow/workflow.hpp"

namespace orderflow::detail {
bool storeIdText(const json& v, std::string& out);  // core/src/text.cpp
}

class BatchColumns {
public:
    BatchColumns() {
        batch_.strings.push_back("");
        begin_.push_back(0);
    }

    // Index of `s` in the batch's string table (0 stands for "absent").
    std::uint32_t intern(const std::string& s) {
        auto [it, fresh] = index_.emplace(s, static_cast<std::uint32_t>(batch_.strings.size()));
        if (fresh) batch_.strings.push_back(s);
        return it->second;
    }

    // One order: valid or not, its interned status, store and the values of the fields guards
    // read (Workflow::guardFields(), in that order; 0: absent), and its items (null: no `items`
    // array; else item objects whose `quantity`, when there, is a number and whose `in_stock`,
    // when there, is a boolean or a number; a `sku` that is a string or a number goes into the sku
    // column as its text, anything else as none).
    void add(bool valid, std::uint32_t status, std::uint32_t store, std::vector<std::uint32_t> fields, const orderflow::json* items) {
        valid_.push_back(valid ? 1 : 0);
        status_.push_back(status);
        store_.push_back(store);
        if (fields.size() > fields_.size()) fields_.resize(fields.size(), std::vector<std::uint32_t>(status_.size() - 1, 0));
        for (std::size_t f = 0; f < fields_.size(); ++f) fields_[f].push_back(f < fields.size() ? fields[f] : 0);
        present_.push_back(items ? 1 : 0);
        if (items)
            for (const auto& it : *items) {
                quantity_.push_back(it.contains("quantity") ? it["quantity"].get<double>() : std::numeric_limits<double>::quiet_NaN());
                if (!it.contains("in_stock")) {
                    kind_.push_back(0);
                    stock_.push_back(0);
                } else if (it["in_stock"].is_boolean()) {
                    kind_.push_back(it["in_stock"].get<bool>() ? 2 : 1);
                    stock_.push_back(0);
                } else {
                    kind_.push_back(3);
                    stock_.push_back(it["in_stock"].get<double>());
                }
                sku_.push_back(skuIndex(it));
            }
        begin_.push_back(static_cast<std::uint32_t>(kind_.size()));
    }

    // The batch, its columns pointing into this object (good until the next add).
    orderflow::OrderBatch& batch() {
        batch_.count = status_.size();
        batch_.status = status_.data();
        batch_.store = store_.data();
        flatFields_.clear();  // column f at f * count
        for (const auto& column : fields_) flatFields_.insert(flatFields_.end(), column.begin(), column.end());
        batch_.fields = flatFields_.empty() ? nullptr : flatFields_.data();
        batch_.field_columns = fields_.size();
        batch_.valid = valid_.data();
        batch_.item_begin = begin_.data();
        batch_.item_stock_kind = kind_.data();
        batch_.item_stock = stock_.data();
        batch_.item_quantity = quantity_.data();
        batch_.items_present = present_.data();
        batch_.item_sku = withSkus_ ? sku_.data() : nullptr;
        return batch_;
    }

    // Leave the sku column out (planBatch then leaves stock refusals to check).
    void withoutSkus() { withSkus_ = false; }

private:
    // A sku's text as a caller gives it: a string as it is, a number as JavaScript's String(n)
    // writes it (core's own function for that), anything else none.
    std::uint32_t skuIndex(const orderflow::json& item) {
        auto k = item.find("sku");
        std::string text;
        return k != item.end() && orderflow::detail::storeIdText(*k, text) ? intern(text) : 0;
    }

    orderflow::OrderBatch batch_;
    bool withSkus_ = true;
    std::map<std::string, std::uint32_t> index_;
    std::vector<std::uint32_t> status_, store_, begin_, flatFields_, sku_;
    std::vector<std::vector<std::uint32_t>> fields_;
    std::vector<std::uint8_t> valid_, present_, kind_;
    std::vector<double> stock_, quantity_;
};

// Internal: the Evaluator, everything about one check/allowed/planBulk/planBatch call that does
// not depend on the order (the actor, the target, the fields, and caches of the order-independent
// part of verdicts). Shared by engine.cpp and batch.cpp (planBatch, kept apart so that the wasm
// build can compile its per-order loop for speed while the rest stays small). Not installed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "guards.hpp"
#include "internal.hpp"

namespace orderflow {
namespace detail {

// What check reads from a well-formed order.
struct OrderView {
    std::string_view status;
    bool hasStore = false;
    std::string_view store;
    std::string storeBuf;  // holds the text of a number store id
    // Per Impl::orderFields slot: the value, null when absent. Written by the guards' read()
    // before any judge() reads it, so left uninitialised (not zero-filled per order).
    const std::string* fields[kMaxGuards];
    const json* items = nullptr;  // an array, or null when absent
};

// Everything about one call that does not depend on the order: the actor, the target, the fields,
// and caches of the order-independent part of verdicts.
class Evaluator {
public:
    Evaluator(const Workflow::Impl& w, std::string_view to, const json& fields, const json& actor) : w_(w), fields_(fields) {
        S_ = w.S();
        keys_ = S_ + static_cast<int>(w.aliases.size()) + 1;
        target_ = -1;
        if (auto it = w.statusIndex.find(to); it != w.statusIndex.end()) target_ = it->second;
        readActor(actor);
        baseDone_.assign(static_cast<std::size_t>(keys_ * 3), false);
        base_.resize(static_cast<std::size_t>(keys_ * 3));
    }

    bool actorBad() const { return actorBad_; }
    const Error& actorError() const { return actorError_; }
    int role() const { return role_; }
    const std::vector<std::string>& stores() const { return stores_; }  // sorted (readActor)
    const std::string& roleExcerpt() const { return roleExcerpt_; }     // an unknown role, quoted
    int keys() const { return keys_; }

    int storeState(bool hasStore, std::string_view store) const {
        if (actorBad_ || role_ < 0 || !w_.roles[static_cast<std::size_t>(role_)].assigned) return 0;
        if (!hasStore) return 2;
        return std::binary_search(stores_.begin(), stores_.end(), store) ? 0 : 1;
    }

    int transitionFor(int fromKey) const {
        if (fromKey >= S_ || target_ < 0 || w_.statuses[static_cast<std::size_t>(fromKey)].terminal) return -1;
        return w_.transitionIndex(fromKey, target_);
    }

    // The order-independent part of the verdict for an order whose status has key fromKey.
    const std::vector<Error>& base(int fromKey, int storeState) {
        const auto k = static_cast<std::size_t>(fromKey * 3 + storeState);
        if (!baseDone_[k]) {
            base_[k] = computeBase(fromKey, storeState);
            baseDone_[k] = true;
        }
        return base_[k];
    }

    // `shorts`: the order's short items, moved into (and named by) a failed items_in_stock guard.
    void appendGuards(int t, std::uint64_t outcomes, std::vector<Error>& out, json* shorts = nullptr) const;

    std::uint64_t guardOutcomes(int t, const OrderView& v) const;

    // appendGuards for the guards of transition t on what readGuarded put in v (check's words).
    void appendGuardErrors(int t, const OrderView& v, std::vector<Error>& out) const;

    // Reads into v the parts of `order` the guards of transition t read: "" or the message
    // naming the broken path (the first, parts in the order of the guard kinds table).
    std::string readGuarded(int t, const json& order, OrderView& v) const;

    // Whether the store is read: only for a store-scoped role (see storeState).
    bool readsStore() const { return !actorBad_ && role_ >= 0 && w_.roles[static_cast<std::size_t>(role_)].assigned; }

    // BatchReads bits for an order whose status has key fromKey. With a malformed actor the
    // answer is invalid_actor whatever the order holds, so only its status is read.
    std::uint32_t reads(int fromKey) const;

    std::vector<Error> evaluate(const json& order);

private:
    void readActor(const json& a);

    const std::string& statusLabel(int s) const { return w_.statuses[static_cast<std::size_t>(s)].label; }

    std::vector<Error> computeBase(int fromKey, int storeState);

    // missing_field then invalid_field errors for transition t (-1: none exists).
    const std::vector<Error>& fieldErrors(int t);

    const Workflow::Impl& w_;
    const json& fields_;
    int S_ = 0, keys_ = 0, target_ = -1, role_ = -1;
    bool actorBad_ = true;
    Error actorError_;
    std::string roleExcerpt_;
    std::vector<std::string> stores_;
    std::vector<std::vector<Error>> base_;
    std::vector<bool> baseDone_;
    std::map<int, std::vector<Error>> fieldCache_;
};

std::string serializeErrors(const std::vector<Error>& errs);  // a key for identical verdicts

}  // namespace detail
}  // namespace orderflow

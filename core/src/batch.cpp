// planBatch: the verdicts of a whole batch of orders given as columns (see OrderBatch in the
// header). Apart from engine.cpp so that the wasm build can compile this per-order loop for
// speed (wasm/CMakeLists.txt) while everything else is compiled for size.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>

#include "answers.hpp"
#include "evaluator.hpp"

namespace orderflow {
using namespace detail;

// noinline: under link-time optimisation this would be inlined into its (size-optimised) caller
// in the wasm bindings and lose the speed it is compiled for.
[[gnu::noinline]] BatchPlan Workflow::planBatch(const OrderBatch& b, std::string_view to, const json& fields, const json& actor) const {
    const Impl& w = *impl_;
    BatchPlan plan;
    plan.verdicts.emplace_back();
    // Every order's verdict is written exactly once below: into the caller's buffer if given.
    if (!b.verdict_out) plan.verdict.resize(b.count);
    Evaluator ev(w, to, fields, actor);

    std::map<std::string, std::uint32_t> byContent;
    auto intern = [&](std::vector<Error> errs) -> std::uint32_t {
        if (errs.empty()) return 0;
        auto [it, fresh] = byContent.emplace(serializeErrors(errs), static_cast<std::uint32_t>(plan.verdicts.size()));
        if (fresh) plan.verdicts.push_back(std::move(errs));
        return it->second;
    };
    constexpr std::int64_t kUnset = -1;
    std::int64_t malformed = kUnset, actorOnly = kUnset;
    const std::size_t nStrings = b.strings.size();
    const std::size_t nGuards = w.guards.size();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    auto str = [&](const std::uint32_t* col, std::size_t i) -> std::uint32_t {
        if (!col) return 0;
        const std::uint32_t s = col[i];
        return s < nStrings ? s : 0;
    };

    // Everything that does not depend on one order is worked out once, in flat tables:
    // per status key, the transition to the target and which of its guards read an order field
    // (two outcome bits per guard, and the field columns they read) or the items; per interned
    // string, its status key, its store state and, per field column, the outcome of every guard
    // reading that field on it; per (status key, store state), the verdict without guard failures
    // and the few verdicts seen with some.
    struct FromInfo {
        int t = -1;
        std::uint64_t fieldMask = 0;   // outcome bits of the transition's guards reading a field
        std::uint32_t fieldSlots = 0;  // bit per field column those guards read
        std::uint32_t itemGuards = 0;  // bit per guard of the transition reading the items
        std::uint64_t itemsUnit = 0;   // low outcome bit (kFail) of each of those guards
    };
    const int keys = ev.keys();
    const std::size_t nSlots = w.orderFields.size();
    std::vector<FromInfo> from(static_cast<std::size_t>(keys));
    for (int key = 0; key < keys; ++key) {
        FromInfo& f = from[static_cast<std::size_t>(key)];
        f.t = ev.transitionFor(key);
        if (f.t < 0) continue;
        const auto& tr = w.transitions[static_cast<std::size_t>(f.t)];
        for (std::size_t g = 0; g < nGuards; ++g) {
            if (!(tr.guards >> g & 1u)) continue;
            const auto& gd = w.guards[g];
            if (gd.kind->reads == kReadsItems) {
                f.itemGuards |= std::uint32_t{1} << g;
                f.itemsUnit |= std::uint64_t{1} << (2 * g);
            } else {
                f.fieldMask |= std::uint64_t{3} << (2 * g);
                f.fieldSlots |= std::uint32_t{1} << gd.slot;
            }
        }
    }
    std::vector<std::int32_t> statusKeyOf(nStrings, -1);
    std::vector<std::int8_t> storeStateOf(nStrings, -1);
    // the field column `slot` of order i: an index into strings, 0 when absent
    auto field = [&](std::size_t slot, std::size_t i) -> std::uint32_t {
        if (!b.fields || slot >= b.field_columns) return 0;
        const std::uint32_t s = b.fields[slot * b.count + i];
        return s < nStrings ? s : 0;
    };
    std::vector<std::uint64_t> fieldOutcomeOf(nSlots * nStrings, 0);
    std::vector<std::uint8_t> fieldDone(nSlots * nStrings, 0);
    auto fieldOutcomes = [&](std::size_t slot, std::uint32_t p) -> std::uint64_t {
        const std::size_t k = slot * nStrings + p;
        if (!fieldDone[k]) {
            const std::string* value = p ? &b.strings[p] : nullptr;
            std::uint64_t o = 0;
            for (std::size_t g = 0; g < nGuards; ++g) {
                const auto& gd = w.guards[g];
                if (gd.kind->reads == kReadsFields && static_cast<std::size_t>(gd.slot) == slot)
                    o |= std::uint64_t{gd.kind->judgeText(gd, value)} << (2 * g);
            }
            fieldOutcomeOf[k] = o;
            fieldDone[k] = 1;
        }
        return fieldOutcomeOf[k];
    };
    const int storeNone = ev.storeState(false, {});
    std::vector<std::int64_t> baseVerdict(static_cast<std::size_t>(keys * 3), kUnset);
    // per (status key, store state): the verdicts met with guard failures, {outcomes, verdict}
    std::vector<std::vector<std::pair<std::uint64_t, std::uint32_t>>> guarded(static_cast<std::size_t>(keys * 3));
    // Unless the transition has an items guard, a verdict depends on the (status, store, field)
    // strings alone when at most one field column is read: remembered per triple of string
    // indexes (verdict + 1; kGuarded = work it out per order), so such an order costs one lookup.
    // Only while the table stays small (it grows with the cube of the string count; the field
    // axis only when that column is read).
    constexpr std::uint32_t kGuarded = 0xffffffffu;
    constexpr std::size_t kMaxMemo = std::size_t{1} << 16;
    const std::size_t memoSlots = b.fields ? std::min(b.field_columns, nSlots) : 0;
    const std::size_t payDim = memoSlots == 1 ? nStrings : 1;
    const std::size_t memoSize = memoSlots <= 1 && nStrings * nStrings * payDim <= kMaxMemo ? nStrings * nStrings * payDim : 0;
    std::vector<std::uint32_t> pairMemo(memoSize, 0);
    auto memoIndex = [&](std::uint32_t si, std::uint32_t st, std::size_t i) {
        return (si * nStrings + st) * payDim + (payDim == 1 ? 0 : field(0, i));
    };

    // A stock refusal's verdict names the order's short items (as check does), so it is not shared
    // through `guarded` or the memo: it is found by a compact key of what it depends on (status
    // key, store state, guard outcomes, and each short item's position, sku string, quantity and
    // units), and built only the first time that key is met.
    std::map<std::string, std::uint32_t> stockSeen;
    std::string key;
    auto stockVerdict = [&](std::size_t i, int fromKey, int ss, int t, std::uint64_t outcomes) -> std::uint32_t {
        // The key: fromKey, ss, outcomes, then per short item (index, sku, quantity, units), written
        // with memcpy into a reused buffer (appending field by field cost more than the lookup).
        const std::uint32_t begin = b.item_begin[i], end = b.item_begin[i + 1];
        constexpr std::size_t kHead = sizeof fromKey + sizeof ss + sizeof outcomes, kItem = 2 * sizeof(std::uint32_t) + 2 * sizeof(double);
        key.resize(kHead + (end - begin) * kItem);
        char* at = key.data();
        auto put = [&at](const auto& v) {
            std::memcpy(at, &v, sizeof v);
            at += sizeof v;
        };
        put(fromKey);
        put(ss);
        put(outcomes);
        for (std::uint32_t j = begin; j < end; ++j) {
            const std::uint8_t kind = b.item_stock_kind ? b.item_stock_kind[j] : 0;
            double qty = b.item_quantity ? b.item_quantity[j] : nan;
            if (std::isnan(qty)) qty = 1;
            const bool number = kind == 3 && b.item_stock;
            if (kind == 2 || (number && b.item_stock[j] >= qty)) continue;
            const double available = number ? b.item_stock[j] : nan;
            put(j - begin);
            put(str(b.item_sku, j));
            put(qty);
            put(available);
        }
        key.resize(static_cast<std::size_t>(at - key.data()));
        if (auto seen = stockSeen.find(key); seen != stockSeen.end()) return seen->second;  // (no node allocated)
        json shorts = json::array();
        for (const char* p = key.data() + kHead; p < key.data() + key.size();) {
            std::uint32_t index, sku;
            double qty, available;
            std::memcpy(&index, p, sizeof index);
            p += sizeof index;
            std::memcpy(&sku, p, sizeof sku);
            p += sizeof sku;
            std::memcpy(&qty, p, sizeof qty);
            p += sizeof qty;
            std::memcpy(&available, p, sizeof available);
            p += sizeof available;
            shorts.push_back(shortItem(index, b.strings[sku], qty, available));
        }
        std::vector<Error> errs = ev.base(fromKey, ss);
        ev.appendGuards(t, outcomes, errs, &shorts);
        // A new key is a new verdict (it names these very items): no need to compare its content.
        const auto verdict = static_cast<std::uint32_t>(plan.verdicts.size());
        plan.verdicts.push_back(std::move(errs));
        stockSeen.emplace(key, verdict);
        return verdict;
    };

    const bool actorBad = ev.actorBad();
    std::uint32_t* const out = b.verdict_out ? b.verdict_out : plan.verdict.data();
    const std::uint32_t* const memoAt = pairMemo.empty() ? nullptr : pairMemo.data();
    for (std::size_t i = 0; i < b.count; ++i) {
        const std::uint32_t si = str(b.status, i);
        if (memoAt && si != 0 && !actorBad && (!b.valid || b.valid[i])) {  // the common case first
            const std::uint32_t m = memoAt[memoIndex(si, str(b.store, i), i)];
            if (m != 0 && m != kGuarded) {
                out[i] = m - 1;
                continue;
            }
        }
        if ((b.valid && !b.valid[i]) || si == 0) {
            if (malformed == kUnset) {
                std::vector<Error> errs{{"invalid_order", "order is malformed", ""}};
                if (ev.actorBad()) errs.push_back(ev.actorError());
                malformed = intern(std::move(errs));
            }
            out[i] = static_cast<std::uint32_t>(malformed);
            continue;
        }
        if (ev.actorBad()) {
            if (actorOnly == kUnset) actorOnly = intern({ev.actorError()});
            out[i] = static_cast<std::uint32_t>(actorOnly);
            continue;
        }
        const std::uint32_t st = str(b.store, i);
        std::uint32_t* memo = pairMemo.empty() ? nullptr : &pairMemo[memoIndex(si, st, i)];
        if (statusKeyOf[si] < 0) statusKeyOf[si] = w.statusKey(b.strings[si]);
        const int fromKey = statusKeyOf[si];
        int ss;
        if (st == 0) ss = storeNone;
        else {
            if (storeStateOf[st] < 0) storeStateOf[st] = static_cast<std::int8_t>(ev.storeState(true, b.strings[st]));
            ss = storeStateOf[st];
        }
        const auto k = static_cast<std::size_t>(fromKey * 3 + ss);
        const FromInfo& f = from[static_cast<std::size_t>(fromKey)];
        std::uint64_t outcomes = 0;
        for (std::uint32_t slots = f.fieldSlots; slots; slots &= slots - 1) {
            const auto slot = static_cast<std::size_t>(__builtin_ctz(slots));
            outcomes |= fieldOutcomes(slot, field(slot, i)) & f.fieldMask;
        }
        for (std::uint32_t gs = f.itemGuards; gs; gs &= gs - 1) {
            const auto g = static_cast<std::size_t>(__builtin_ctz(gs));
            outcomes |= std::uint64_t{w.guards[g].kind->judgeItems(b, i)} << (2 * g);
        }
        if (f.itemsUnit && (outcomes & f.itemsUnit)) {  // short items: named per order (see stockVerdict)
            out[i] = b.item_sku ? stockVerdict(i, fromKey, ss, f.t, outcomes) : kVerdictPerOrder;
            continue;
        }
        if (outcomes == 0) {
            if (baseVerdict[k] == kUnset) baseVerdict[k] = intern(ev.base(fromKey, ss));
            out[i] = static_cast<std::uint32_t>(baseVerdict[k]);
            if (memo && *memo == 0) *memo = f.itemGuards ? kGuarded : static_cast<std::uint32_t>(baseVerdict[k]) + 1;
            continue;
        }
        auto& seen = guarded[k];
        std::uint32_t verdict = 0;
        bool found = false;
        for (const auto& [o, v] : seen)
            if (o == outcomes) {
                verdict = v;
                found = true;
                break;
            }
        if (!found) {
            std::vector<Error> errs = ev.base(fromKey, ss);
            ev.appendGuards(f.t, outcomes, errs);
            verdict = intern(std::move(errs));
            seen.emplace_back(outcomes, verdict);
        }
        out[i] = verdict;
        if (memo && *memo == 0) *memo = f.itemGuards ? kGuarded : verdict + 1;
    }
    return plan;
}

}  // namespace orderflow

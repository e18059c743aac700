// Fuzzes check / allowed / planBulk / planBatch on arbitrary order, target, fields and actor
// bytes against both built-in workflows.
//
// Input: byte 0 picks the workflow (bit 0: cms / delivery) and whether the first part is one
// order or an array of orders (bit 1); the rest is split on NUL bytes into: orders, target,
// fields, actor. A part that is not JSON is used as a JSON string (so any bytes, including
// invalid UTF-8, reach the engine). Missing parts: target "processing", fields null, actor admin.
//
// Invariants (abort on failure): ok == errors.empty(); codes in the fixed order; messages valid
// UTF-8; planBulk, checkEach and planBatch agree with check; allowed reports errors exactly for malformed
// input and offers only targets check refuses for fields or guards at most.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "batch_columns.hpp"
#include "internal.hpp"
#include "orderflow/workflow.hpp"
#include "require.hpp"

using orderflow::Error;
using orderflow::json;
using orderflow::Workflow;

namespace {

const orderflow::WorkflowPtr& flow(int i) {
    static const orderflow::WorkflowPtr flows[2] = {Workflow::builtin("cms").workflow, Workflow::builtin("delivery").workflow};
    return flows[i];
}

int rank(const std::string& code) {
    static const std::map<std::string, int> ranks = {{"invalid_order", 0},   {"invalid_actor", 1},      {"unknown_status", 2},
                                                     {"terminal_status", 3}, {"invalid_transition", 4}, {"read_only", 5},
                                                     {"forbidden_role", 6},  {"forbidden_store", 7},    {"missing_field", 8},
                                                     {"invalid_field", 9},   {"payment_required", 10},  {"inventory_short", 11}};
    auto it = ranks.find(code);
    REQUIRE(it != ranks.end());
    return it->second;
}

void verify(const std::vector<Error>& errs) {
    int last = -1;
    for (const auto& e : errs) {
        const int r = rank(e.code);
        REQUIRE(r >= last);
        last = r;
        REQUIRE(!e.message.empty());
        REQUIRE(orderflow::detail::validUtf8(e.message));
        REQUIRE(orderflow::detail::validUtf8(e.field));
    }
}

bool same(const std::vector<Error>& a, const std::vector<Error>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].code != b[i].code || a[i].message != b[i].message || a[i].field != b[i].field) return false;
    return true;
}

json part(std::string_view bytes) {
    if (bytes.empty()) return json(nullptr);
    json v = json::parse(bytes.begin(), bytes.end(), nullptr, false);
    if (v.is_discarded()) return json(std::string(bytes));
    return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const Workflow& w = *flow(data[0] & 1);
    const bool many = data[0] & 2;
    std::vector<std::string_view> parts;
    std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
    while (parts.size() < 4) {
        const auto nul = rest.find('\0');
        parts.push_back(rest.substr(0, nul));
        if (nul == std::string_view::npos) break;
        rest.remove_prefix(nul + 1);
    }
    json first = part(parts[0]);
    const std::string_view to = parts.size() > 1 ? parts[1] : std::string_view("processing");
    const json fields = parts.size() > 2 ? part(parts[2]) : json(nullptr);
    const json actor = parts.size() > 3 ? part(parts[3]) : json{{"role", "admin"}};

    json orders = many ? first : json::array({first});
    const auto bulk = w.planBulk(orders, to, fields, actor);
    verify(bulk.blocked.empty() ? std::vector<Error>{} : bulk.blocked[0].errors);
    if (!orders.is_array()) {
        REQUIRE(bulk.eligible.empty() && bulk.blocked.size() == 1 && bulk.blocked[0].errors[0].code == "invalid_order");
        return 0;
    }

    // Columns for planBatch, built from what check says about each order.
    BatchColumns columns;
    std::vector<std::vector<Error>> verdicts;
    std::vector<bool> valid;

    const auto each = w.checkEach(orders, to, fields, actor);
    REQUIRE(each.size() == orders.size());
    std::size_t e = 0, b = 0, k = 0;
    for (const json& o : orders) {
        const auto v = w.check(o, to, fields, actor);
        REQUIRE(v.ok == v.errors.empty());
        verify(v.errors);
        REQUIRE(same(each[k++], v.errors));
        const json id = o.is_object() && o.contains("id") ? o["id"] : json(nullptr);
        if (v.ok) {
            REQUIRE(e < bulk.eligible.size() && bulk.eligible[e] == id);
            ++e;
        } else {
            REQUIRE(b < bulk.blocked.size() && bulk.blocked[b].id == id && same(bulk.blocked[b].errors, v.errors));
            ++b;
        }
        const bool ok = v.errors.empty() || v.errors[0].code != "invalid_order";
        // allowed reads what check reads for a change with no transition (status, store): it
        // reports errors exactly when check to an unknown target reports a malformed input.
        const auto allowed = w.allowed(o, actor);
        const auto plain = w.check(o, "", fields, actor);
        const bool inputBad = !plain.errors.empty() && rank(plain.errors[0].code) <= 1;
        REQUIRE(inputBad == !allowed.errors.empty());
        for (const auto& opt : allowed.options) {
            const auto errs = w.check(o, opt.id, fields, actor).errors;
            // a guard's broken input (payment state, items) is only read once the option is picked
            if (!errs.empty() && errs[0].code == "invalid_order")
                REQUIRE(w.batchReads(opt.id, actor, o["status"].get<std::string>()) & (orderflow::kReadsFields | orderflow::kReadsItems));
            else
                for (const auto& err : errs) REQUIRE(rank(err.code) >= 8);
        }

        valid.push_back(ok);
        verdicts.push_back(v.errors);
        // Only the parts the verdict reads (batchReads) are filled in: the others may be malformed.
        std::string text;
        const std::uint32_t reads = ok ? w.batchReads(to, actor, o["status"].get<std::string>()) : 0u;
        const bool hasItems = (reads & orderflow::kReadsItems) && o.contains("items") && o["items"].is_array();
        columns.add(ok, ok ? columns.intern(o["status"].get<std::string>()) : 0,
                    (reads & orderflow::kReadsStore) && o.contains("store_id") && orderflow::detail::storeIdText(o["store_id"], text)
                        ? columns.intern(text)
                        : 0,
                    {(reads & orderflow::kReadsFields) && o.contains("payment_status") && o["payment_status"].is_string()
                         ? columns.intern(o["payment_status"].get<std::string>())
                         : 0},
                    hasItems ? &o["items"] : nullptr);
    }
    REQUIRE(e == bulk.eligible.size() && b == bulk.blocked.size());

    const auto plan = w.planBatch(columns.batch(), to, fields, actor);
    REQUIRE(plan.verdict.size() == orders.size());
    REQUIRE(!plan.verdicts.empty() && plan.verdicts[0].empty());
    for (std::size_t i = 0; i < orders.size(); ++i) {
        REQUIRE(plan.verdict[i] < plan.verdicts.size());
        const auto& got = plan.verdicts[plan.verdict[i]];
        verify(got);
        if (valid[i]) REQUIRE(same(got, verdicts[i]));
        else REQUIRE(!got.empty() && got[0].code == "invalid_order" && got[0].message == "order is malformed");
    }
    return 0;
}

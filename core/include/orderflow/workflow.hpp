// orderflow: the order-status workflow engine.
//
// A Workflow is loaded from JSON (see core/workflows/*.json and docs/workflow-format.md) and then
// answers, for an order and an actor, which statuses may follow and every reason a change is
// refused. Nothing here throws: every answer, including "your input is malformed", is a value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace orderflow {

using json = nlohmann::json;

// Reads plain JSON text (what JSON.stringify writes; whitespace between tokens allowed) that is
// valid UTF-8, nested at most maxDepth levels, into `out`: the value nlohmann's parser would
// build, with far less code run. False for anything it does not take (the caller then parses
// with nlohmann, which has the last word). See core/src/read.cpp.
bool readPlainJson(std::string_view text, json& out, int maxDepth = 128);

// One reason a change is refused. `code` is stable (see docs, and errorCodes() below for the
// engine's own); `message` is for a store employee; `field` names the input concerned
// ("rejection_reason", "notes", ...) or is empty. `items`: null, or for a failed items_in_stock
// guard the short items, every one in order (the message names the first few), as a JSON array of
// {"sku": text or null (none: the message names it by position), "quantity": asked for (1 when
// absent), "available": units in stock or null (not known: in_stock false or absent), "index":
// position in the order's items}. (JSON, as the module hands it on.)
struct Error {
    std::string code;
    std::string message;
    std::string field;
    json items = nullptr;
};

// One code of the engine's own (core/src/answers.cpp): every code check, allowed, planBulk and
// visibleStores can answer apart from a workflow's guard codes, whether it is a refusal about
// permission (who asks, not the order: the REST APIs' 403), and what it means in plain words.
struct ErrorCodeInfo {
    std::string_view code;
    bool permission;
    std::string_view message;
};
// In the fixed order check reports them (docs/workflow-format.md). A guard may not use one.
std::span<const ErrorCodeInfo> errorCodes();

// One problem found while loading a workflow: where (a JSON path such as "transitions[3].to",
// or "" for the whole text) and what.
struct Problem {
    std::string path;
    std::string message;
    std::string text() const;  // "transitions[3].to: unknown status \"shiped\""
};

struct Status {
    std::string id;
    std::string label;
    std::string color;
    bool terminal = false;
    std::string stock = "none";  // "none" | "reserved" | "consumed": the order's stock while here
    bool notify = false;         // the customer is told when an order enters this status
};

// One arrow of the workflow as the engine applies it: a transition written `"from": "*"` is one
// arrow from each status it applies from (not terminal, not its target, no transition of its own
// to that target). For diagrams.
struct Edge {
    std::string from, to;
    std::string action;              // button text where the workflow names one, or ""
    std::vector<std::string> roles;  // ids of the roles that may take it
};

// A next status the actor may pick, as the UI offers it.
struct Option {
    std::string id;
    std::string label;
    std::string color;
    std::string action;  // button text where the workflow names one ("Accept"), or ""
    // Field names that must be filled in (the workflow JSON's "requires"). Named `required`
    // because `requires` is a keyword in C++20 and cannot be a member name.
    std::vector<std::string> required;
    std::vector<std::string> optional;  // field names that may be filled in (always "notes")
    bool confirm = false;               // the UI must ask before applying
    // What check would refuse about the order itself for this change (code empty: nothing): the
    // first failing guard of the transition, as check words it (a stock refusal with its short
    // items, a guard's missingMessage when the order lacks the part it reads), or invalid_order
    // when that part is malformed. The option stays offered, so a UI can show it unavailable and
    // why before anyone picks it; fields are not judged here, and check keeps the final word.
    Error blocked;
};

struct Normalized {
    bool ok = false;
    std::string status;  // the current value when ok
    Error error;         // when not ok: code "unknown_status"
};

struct Verdict {
    bool ok = false;
    std::vector<Error> errors;  // empty when ok; otherwise every reason, in the fixed order
};

struct Allowed {
    std::vector<Option> options;  // what the actor may pick (empty for terminal / read-only)
    std::vector<Error> errors;    // non-empty only when the order or actor itself is malformed
    // When options is empty, why (code empty otherwise): the first of errors, else unknown_status,
    // terminal_status, forbidden_role (unknown role), read_only, forbidden_store, or, when no
    // transition leaves the status for this role, forbidden_role / invalid_transition.
    Error reason;
};

// The stores whose orders an actor may see: every store (role scope "all"), or `stores` (the
// actor's own, as text, sorted, without duplicates). `errors`: invalid_actor for a malformed
// actor, forbidden_role for an unknown role (then no store at all).
struct StoreScope {
    bool all = false;
    std::vector<std::string> stores;
    std::vector<Error> errors;
};

struct BlockedOrder {
    json id;
    std::vector<Error> errors;
};

struct BulkPlan {
    std::vector<json> eligible;         // order ids, in input order
    std::vector<BlockedOrder> blocked;  // in input order
};

// Columnar form of a batch of orders, for planBulk without per-order parsing. The caller interns
// strings into tables and passes indices; the engine interprets them. Index 0 of every string
// table means "absent or not a string".
struct OrderBatch {
    std::size_t count = 0;
    std::vector<std::string> strings;       // shared string table; strings[0] is unused (absent)
    const std::uint32_t* status = nullptr;  // [count] index into strings
    const std::uint32_t* store = nullptr;   // [count] index into strings (store ids as text)
    // The order fields guards read (Workflow::guardFields(), e.g. payment_status), one column
    // each: column f is fields[f * count .. f * count + count), index into strings. Null, or a
    // column f >= field_columns: every order lacks that field.
    const std::uint32_t* fields = nullptr;
    std::size_t field_columns = 0;
    const std::uint8_t* valid = nullptr;            // [count] 1 = a well-formed order, 0 = invalid_order
    const std::uint32_t* item_begin = nullptr;      // [count + 1] offsets into the item arrays
    const std::uint8_t* item_stock_kind = nullptr;  // per item: 0 absent, 1 false, 2 true, 3 number
    const double* item_stock = nullptr;             // per item: units in stock when kind == 3
    const double* item_quantity = nullptr;          // per item: quantity (NaN when absent)
    // [count] 1 = the order has an `items` array (possibly empty), 0 = `items` absent or null.
    // Null pointer: every order has an `items` array. Any other null column: treated as absent.
    const std::uint8_t* items_present = nullptr;
    // Where to write the verdicts ([count]); null: into BatchPlan::verdict. (The wasm bindings
    // pass the caller's buffer, so 100,000 verdicts are neither copied nor zero-filled first.)
    std::uint32_t* verdict_out = nullptr;
    // Per item: its sku, an index into strings (0: none). A stock refusal names its short items
    // by sku; null: an order refused for short items gets the verdict kVerdictPerOrder instead
    // (the caller asks check for it).
    const std::uint32_t* item_sku = nullptr;
};

// A verdict planBatch leaves to check (see OrderBatch::item_sku).
constexpr std::uint32_t kVerdictPerOrder = 0xffffffffu;

// What a verdict for one (to, actor) reads of an order besides its status (batchReads): the
// store for a store-scoped role, the fields an `equals` guard names (guardFields()) / the items
// when the transition from the order's status into `to` has a guard reading them. check and allowed judge only these parts
// (a malformed part that is not read does not make the order invalid); planBatch never reads
// the other columns, so a caller may leave them at 0 / absent.
enum BatchReads : std::uint32_t { kReadsStore = 1, kReadsFields = 2, kReadsItems = 4 };

// Verdicts of a batch: verdict[i] indexes `verdicts` (empty when OrderBatch::verdict_out was
// given: the indexes are there); verdicts[0] is always "ok" (empty).
// Identical verdicts are shared, so a batch of 100,000 orders yields a handful of error lists.
struct BatchPlan {
    std::vector<std::uint32_t> verdict;
    std::vector<std::vector<Error>> verdicts;
};

class Workflow;
using WorkflowPtr = std::shared_ptr<const Workflow>;

struct Loaded {
    WorkflowPtr workflow;           // null when problems is non-empty
    std::vector<Problem> problems;  // every problem found (top-level keys, then each section in order)
    bool ok() const { return workflow != nullptr; }
    std::string error() const;  // the problems, one per line ("" when ok)
};

class Workflow {
public:
    // Largest workflow text accepted, in bytes.
    static constexpr std::size_t kMaxWorkflowBytes = 1 << 20;

    static Loaded load(std::string_view json_text);
    static Loaded load(const json& document);
    // Text overloads: a std::string or C string converts to both string_view and json, which
    // would make load("...") ambiguous. These read it as JSON text.
    static Loaded load(const std::string& json_text) { return load(std::string_view(json_text)); }
    static Loaded load(const char* json_text) { return load(std::string_view(json_text ? json_text : "")); }
    static Loaded builtin(std::string_view id);  // "cms", "delivery"
    static const std::vector<std::string>& builtinIds();
    static std::string_view builtinSource(std::string_view id);  // the JSON text, "" if unknown

    const std::string& id() const;
    const std::string& name() const;
    const std::string& initial() const;
    const std::vector<Status>& statuses() const;
    const json& document() const;  // the validated workflow as JSON (for diagrams, lint, the UI)
    // The top-level order fields the workflow's guards read (an `equals` guard's "field"), each
    // once, in the order the guards first name them: the columns of OrderBatch::fields.
    const std::vector<std::string>& guardFields() const;
    std::vector<Edge> edges() const;  // every arrow, in the order changes are offered

    // A stored value (current or legacy) read as a current status.
    Normalized normalize(std::string_view value) const;

    Allowed allowed(const json& order, const json& actor) const;
    // Which stores `actor` may see orders of, and whether it may see one of store `storeId` (a
    // string, a number as its text, or null: no store; false for a malformed actor or unknown role).
    StoreScope visibleStores(const json& actor) const;
    bool canSee(const json& actor, const json& storeId) const;
    // The fields a change into `to` requires from orders stored with any of `statuses` (current or
    // legacy values; unknown ones, terminal ones and those without a transition to `to` add
    // nothing), whatever the role, in the workflow's field order.
    std::vector<std::string> requiredFields(std::string_view to, const std::vector<std::string>& statuses) const;
    Verdict check(const json& order, std::string_view to, const json& fields, const json& actor) const;
    BulkPlan planBulk(const json& orders, std::string_view to, const json& fields, const json& actor) const;
    // check() for each element of `orders` (a JSON array), with `to`, `fields` and `actor` read
    // once: each order's errors, in order (empty: allowed). Not an array: no verdicts.
    std::vector<std::vector<Error>> checkEach(const json& orders, std::string_view to, const json& fields, const json& actor) const;
    BatchPlan planBatch(const OrderBatch& orders, std::string_view to, const json& fields, const json& actor) const;
    std::uint32_t batchReads(std::string_view to, const json& actor) const;  // BatchReads bits, any status
    // BatchReads bits for orders stored with `status` (a current, legacy or unknown value).
    std::uint32_t batchReads(std::string_view to, const json& actor, std::string_view status) const;

    ~Workflow();
    Workflow(const Workflow&) = delete;
    Workflow& operator=(const Workflow&) = delete;

    struct Impl;

private:
    explicit Workflow(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
    friend struct Loader;
};

}  // namespace orderflow

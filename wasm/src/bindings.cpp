// embind bindings of the orderflow engine. Deliberately thin and boring: workflows live in a
// handle table (so JS never owns a C++ object and never calls .delete()), everything else crosses
// the boundary as JSON text or as numbers, and every answer is a value (never an exception).
//
// The JS facade (wasm/js/facade.js) is the only caller; see it for the shapes.
#include <orderflow/workflow.hpp>

#include "json_writer.hpp"

#include <emscripten/bind.h>
#include <emscripten/emmalloc.h>

#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace {

using orderflow::json;
using orderflow::Workflow;
using orderflow::WorkflowPtr;
using orderflow::wasm::Writer;

std::vector<WorkflowPtr>& handles() {
    static std::vector<WorkflowPtr> table(1);  // handle 0 is never valid
    return table;
}
std::vector<std::uint32_t>& freeHandles() {
    static std::vector<std::uint32_t> list;
    return list;
}

const Workflow* lookup(std::uint32_t handle) {
    auto& table = handles();
    if (handle == 0 || handle >= table.size()) return nullptr;
    return table[handle].get();
}

// Text in: the facade writes its arguments as UTF-8 (TextEncoder.encodeInto) one after another
// into a scratch buffer in wasm memory and passes the buffer and each length; Args reads them
// back in order. This avoids embind's per-character string conversion on every call.
class Args {
public:
    explicit Args(std::uintptr_t buffer) : at_(reinterpret_cast<const char*>(buffer)) {}
    std::string_view next(std::uint32_t length) {
        std::string_view text(at_, length);
        at_ += length;
        return text;
    }

private:
    const char* at_;
};

// The facade only ever sends JSON.stringify output (valid UTF-8 from TextEncoder), which core's
// small reader takes; anything it does not is left to nlohmann's parser. A parse failure means
// something unusual happened; the engine then sees `null` and answers with its own invalid_*
// verdict.
json parse(std::string_view text) {
    json value;
    if (orderflow::readPlainJson(text, value)) return value;
    value = json::parse(text.begin(), text.end(), nullptr, false);
    if (value.is_discarded()) return json(nullptr);
    return value;
}

std::string loadedJson(const orderflow::Loaded& loaded) {
    Writer w;
    if (!loaded.ok()) {
        w.raw("{").key("problems").array(loaded.problems, [&](const orderflow::Problem& p) {
            w.raw("{").key("path").string(p.path).raw(",").key("message").string(p.message).raw("}");
        });
        w.raw(",").key("error").string(loaded.error()).raw("}");
        return std::move(w.out);
    }
    std::uint32_t handle;
    auto& table = handles();
    auto& free = freeHandles();
    if (!free.empty()) {
        handle = free.back();
        free.pop_back();
        table[handle] = loaded.workflow;
    } else {
        handle = static_cast<std::uint32_t>(table.size());
        table.push_back(loaded.workflow);
    }
    const Workflow& wf = *loaded.workflow;
    w.raw("{").key("handle").number(handle);
    w.raw(",").key("id").string(wf.id());
    w.raw(",").key("name").string(wf.name());
    w.raw(",").key("initial").string(wf.initial());
    w.raw(",").key("statuses").array(wf.statuses(), [&](const orderflow::Status& s) {
        w.raw("{").key("id").string(s.id).raw(",").key("label").string(s.label);
        w.raw(",").key("color").string(s.color).raw(",").key("terminal").boolean(s.terminal);
        w.raw(",").key("stock").string(s.stock).raw(",").key("notify").boolean(s.notify).raw("}");
    });
    w.raw(",").key("guardFields").strings(wf.guardFields());  // planBatch's field columns, in order
    w.raw("}");
    return std::move(w.out);
}

std::string noWorkflow() {
    // Only reachable if the facade used a released handle: a programming error in the facade.
    return R"({"released":true})";
}

// ---- exported functions -------------------------------------------------------------------

// The validated document of a loaded workflow. Asked for by the facade only when a program first
// reads wf.document (or roles, fields, transitions), so loading a workflow does not write it.
std::string workflowDocument(std::uint32_t handle) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    Writer w;
    return std::move(w.value(wf->document()).out);
}

// The arrows the engine applies ("*" expanded): [{"from", "to", "action"?, "roles": [...]}, ...].
std::string edges(std::uint32_t handle) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    Writer w;
    return std::move(w.array(wf->edges(), [&](const orderflow::Edge& e) {
                          w.raw("{").key("from").string(e.from).raw(",").key("to").string(e.to);
                          if (!e.action.empty()) w.raw(",").key("action").string(e.action);
                          w.raw(",").key("roles").strings(e.roles).raw("}");
                      }).out);
}

std::string builtinIds() {
    Writer w;
    return std::move(w.strings(Workflow::builtinIds()).out);
}

std::string loadText(std::uintptr_t buffer, std::uint32_t length) { return loadedJson(Workflow::load(Args(buffer).next(length))); }

std::string loadBuiltin(std::string id) { return loadedJson(Workflow::builtin(id)); }

void release(std::uint32_t handle) {
    auto& table = handles();
    if (handle == 0 || handle >= table.size() || !table[handle]) return;
    table[handle].reset();
    freeHandles().push_back(handle);
}

std::uint32_t liveHandles() {
    std::uint32_t n = 0;
    for (const auto& p : handles())
        if (p) ++n;
    return n;
}

std::string normalize(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t length) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    auto n = wf->normalize(Args(buffer).next(length));
    Writer w;
    w.raw("{").key("ok").boolean(n.ok).raw(",");
    if (n.ok) w.key("status").string(n.status);
    else w.key("error").error(n.error);
    return std::move(w.raw("}").out);
}

std::string allowed(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t orderLength, std::uint32_t actorLength) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    Args args(buffer);
    json order = parse(args.next(orderLength));
    json actor = parse(args.next(actorLength));
    auto a = wf->allowed(order, actor);
    Writer w;
    w.raw("{").key("options").array(a.options, [&](const orderflow::Option& o) {
        w.raw("{").key("id").string(o.id).raw(",").key("label").string(o.label);
        w.raw(",").key("color").string(o.color);
        if (!o.action.empty()) w.raw(",").key("action").string(o.action);
        w.raw(",").key("requires").strings(o.required).raw(",").key("optional").strings(o.optional);
        w.raw(",").key("confirm").boolean(o.confirm);
        if (!o.blocked.code.empty()) w.raw(",").key("blocked").error(o.blocked);  // what check would refuse
        w.raw("}");
    });
    w.raw(",").key("errors").errors(a.errors);
    if (!a.reason.code.empty()) w.raw(",").key("reason").error(a.reason);  // why no option (issue #15)
    return std::move(w.raw("}").out);
}

std::string check(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t orderLength, std::uint32_t toLength,
                  std::uint32_t fieldsLength, std::uint32_t actorLength) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    Args args(buffer);
    json order = parse(args.next(orderLength));
    std::string_view to = args.next(toLength);
    json fields = parse(args.next(fieldsLength));
    json actor = parse(args.next(actorLength));
    auto v = wf->check(order, to, fields, actor);
    Writer w;
    w.raw("{").key("ok").boolean(v.ok).raw(",").key("errors").errors(v.errors).raw("}");
    return std::move(w.out);
}

// check() for each order of a JSON array (the orders planBulk's columns could not carry: malformed
// or unusual ones), in one call: one string round trip and one parse for the whole lot instead of
// one per order. Returns {"verdicts": [index, ...], "table": [[error, ...], ...]}: each order's
// index into the table of distinct verdicts, entry 0 the empty "ok" verdict.
std::string checkMany(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t ordersLength, std::uint32_t toLength,
                      std::uint32_t fieldsLength, std::uint32_t actorLength) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    Args args(buffer);
    json orders = parse(args.next(ordersLength));
    std::string_view to = args.next(toLength);
    json fields = parse(args.next(fieldsLength));
    json actor = parse(args.next(actorLength));
    std::vector<std::vector<orderflow::Error>> table(1);
    std::map<std::string, std::uint32_t> seen;
    seen.emplace(std::string(), 0);
    Writer w;
    w.raw("{").key("verdicts").raw("[");
    bool first = true;
    for (auto& errors : wf->checkEach(orders, to, fields, actor)) {
        std::string key;
        for (const auto& e : errors) {
            key.append(e.code).append(1, '\x1f').append(e.message).append(1, '\x1f').append(e.field).append(1, '\x1e');
            if (!e.items.is_null()) key.append(e.items.dump()).append(1, '\x1e');  // a stock refusal's short items
        }
        auto [it, fresh] = seen.emplace(std::move(key), static_cast<std::uint32_t>(table.size()));
        if (fresh) table.push_back(std::move(errors));
        if (!first) w.raw(",");
        first = false;
        w.number(it->second);
    }
    w.raw("],").key("table").array(table, [&](const std::vector<orderflow::Error>& e) { w.errors(e); });
    return std::move(w.raw("}").out);
}

// Bytes of the wasm heap in use (allocated, not free): the facade measures what a loaded workflow
// holds with it, for the module's memory budget. Walks emmalloc's free list: called per load only.
double heapUsed() { return static_cast<double>(emmalloc_dynamic_heap_size()) - static_cast<double>(emmalloc_free_dynamic_memory()); }

// What planBatch will read for (to, actor), as JSON: {"any": bits for any status, "unknown": bits
// for a status value the workflow does not know, "statuses": [[value, bits], ...] for every
// current and legacy value} (BatchReads bits). The facade reads, checks, interns and copies only
// those parts of each order. {"any":0,...} for a released handle.
std::string batchReads(std::uint32_t handle, std::uintptr_t text, std::uint32_t toLength, std::uint32_t actorLength) {
    const Workflow* wf = lookup(handle);
    if (!wf) return R"({"any":0,"unknown":0,"statuses":[]})";
    Args args(text);
    std::string_view to = args.next(toLength);
    json actor = parse(args.next(actorLength));
    Writer w;
    w.raw("{").key("any").number(wf->batchReads(to, actor));
    w.raw(",").key("unknown").number(wf->batchReads(to, actor, std::string_view()));  // "" is never a status
    std::vector<std::string> values;                                                  // every current and legacy status value
    for (const auto& s : wf->statuses()) values.push_back(s.id);
    const json& doc = wf->document();
    if (auto a = doc.find("aliases"); a != doc.end() && a->is_object())
        for (auto it = a->begin(); it != a->end(); ++it) values.push_back(it.key());
    w.raw(",").key("statuses").array(values, [&](const std::string& value) {
        w.raw("[").string(value).raw(",").number(wf->batchReads(to, actor, value)).raw("]");
    });
    return std::move(w.raw("}").out);
}

// The header planBatch is given, written by the facade into wasm memory next to the columns
// (wasm/js/batch.js: HEADER names the same words, in the same order). Every word is a uint32:
// a count, a length, or a byte offset into the heap (wasm32), 0 for a column the engine will not
// read (batchReads). The columns are OrderBatch's (core: orderflow/workflow.hpp).
struct BatchHeader {
    std::uint32_t count;          // orders
    std::uint32_t status;         // uint32[count]: index into the string table
    std::uint32_t store;          // uint32[count]: index into the string table, or 0
    std::uint32_t fields;         // uint32[fieldColumns * count]: the order fields guards read
                                  // (loaded answer's guardFields), column f at f * count; or 0
    std::uint32_t fieldColumns;   // how many columns `fields` holds
    std::uint32_t valid;          // uint8[count]: 1 = read by the columns, 0 = invalid_order
    std::uint32_t itemBegin;      // uint32[count + 1]: offsets into the item columns, or 0
    std::uint32_t itemKind;       // uint8[items]: in_stock 0 absent, 1 false, 2 true, 3 number; or 0
    std::uint32_t itemStock;      // float64[items], or 0
    std::uint32_t itemQuantity;   // float64[items] (NaN: absent), or 0
    std::uint32_t itemsPresent;   // uint8[count]: 1 = the order has an items array, or 0
    std::uint32_t itemSku;        // uint32[items]: the item's sku, index into the string table
                                  // (0: none); or 0 (then stock refusals are left to check)
    std::uint32_t out;            // uint32[count]: receives each order's verdict index
    std::uint32_t text;           // the text arguments below, one after another (UTF-8)
    std::uint32_t stringsLength;  // the string table as a JSON array, index 0 unused
    std::uint32_t toLength;       // the target status
    std::uint32_t fieldsLength;   // the fields, JSON
    std::uint32_t actorLength;    // the actor, JSON
};
static_assert(sizeof(BatchHeader) == 18 * sizeof(std::uint32_t), "batch.js HEADER_WORDS");

template <class T>
const T* column(std::uint32_t offset) {
    return offset ? reinterpret_cast<const T*>(static_cast<std::uintptr_t>(offset)) : nullptr;
}

// The whole batch is in wasm memory, laid out by the facade (batch.js, planColumns), described
// by the BatchHeader at `header`. Returns the verdict table as JSON: [[error, ...], ...] with
// entry 0 the empty "ok" verdict; each order's index into it is written to the `out` column.
std::string planBatch(std::uint32_t handle, std::uintptr_t header) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    BatchHeader h;
    std::memcpy(&h, reinterpret_cast<const void*>(header), sizeof h);
    Args args(h.text);
    json table = parse(args.next(h.stringsLength));
    std::string_view to = args.next(h.toLength);
    json fields = parse(args.next(h.fieldsLength));
    json actor = parse(args.next(h.actorLength));
    orderflow::OrderBatch batch;
    batch.count = h.count;
    if (table.is_array()) {
        batch.strings.reserve(table.size());
        for (const auto& s : table) batch.strings.push_back(s.is_string() ? s.get<std::string>() : std::string());
    }
    if (batch.strings.empty()) batch.strings.emplace_back();
    batch.status = column<std::uint32_t>(h.status);
    batch.store = column<std::uint32_t>(h.store);
    batch.fields = column<std::uint32_t>(h.fields);
    batch.field_columns = h.fields ? h.fieldColumns : 0;
    batch.valid = column<std::uint8_t>(h.valid);
    batch.item_begin = column<std::uint32_t>(h.itemBegin);
    batch.item_stock_kind = column<std::uint8_t>(h.itemKind);
    batch.item_stock = column<double>(h.itemStock);
    batch.item_quantity = column<double>(h.itemQuantity);
    batch.items_present = column<std::uint8_t>(h.itemsPresent);
    batch.item_sku = column<std::uint32_t>(h.itemSku);
    batch.verdict_out = reinterpret_cast<std::uint32_t*>(static_cast<std::uintptr_t>(h.out));

    auto plan = wf->planBatch(batch, to, fields, actor);
    if (plan.verdicts.empty()) return "[[]]";  // verdicts[0], "ok", is always there; never reached
    Writer w;
    return std::move(w.array(plan.verdicts, [&](const std::vector<orderflow::Error>& e) { w.errors(e); }).out);
}

}  // namespace

EMSCRIPTEN_BINDINGS(orderflow) {
    emscripten::function("builtinIds", &builtinIds);
    emscripten::function("loadText", &loadText);
    emscripten::function("loadBuiltin", &loadBuiltin);
    emscripten::function("workflowDocument", &workflowDocument);
    emscripten::function("edges", &edges);
    emscripten::function("release", &release);
    emscripten::function("liveHandles", &liveHandles);
    emscripten::function("normalize", &normalize);
    emscripten::function("allowed", &allowed);
    emscripten::function("check", &check);
    emscripten::function("batchReads", &batchReads);
    emscripten::function("planBatch", &planBatch);
    emscripten::function("checkMany", &checkMany);
    emscripten::function("heapUsed", &heapUsed);
}

// ---- issue #15: the questions the engine answers for the server and the UI -------------------
// (One block, kept apart so that it merges cleanly with changes to the code above.)
namespace {

// {"all": bool, "stores": [...], "errors": [...]}
std::string visibleStores(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t actorLength) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    auto v = wf->visibleStores(parse(Args(buffer).next(actorLength)));
    Writer w;
    w.raw("{").key("all").boolean(v.all).raw(",").key("stores").strings(v.stores);
    return std::move(w.raw(",").key("errors").errors(v.errors).raw("}").out);
}

// The store id as JSON text (a string, a number or null).
bool canSee(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t actorLength, std::uint32_t storeLength) {
    const Workflow* wf = lookup(handle);
    if (!wf) return false;
    Args args(buffer);
    json actor = parse(args.next(actorLength));
    return wf->canSee(actor, parse(args.next(storeLength)));
}

// `statuses` as a JSON array of strings; the answer a JSON array of field ids.
std::string requiredFields(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t toLength, std::uint32_t statusesLength) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    Args args(buffer);
    std::string_view to = args.next(toLength);
    json list = parse(args.next(statusesLength));
    std::vector<std::string> statuses;
    if (list.is_array())
        for (const auto& s : list)
            if (s.is_string()) statuses.push_back(s.get<std::string>());
    Writer w;
    return std::move(w.strings(wf->requiredFields(to, statuses)).out);
}

// [{"code", "permission", "message"}, ...] (core/src/answers.cpp)
std::string errorCodes() {
    Writer w;
    return std::move(w.array(orderflow::errorCodes(), [&](const orderflow::ErrorCodeInfo& c) {
                          w.raw("{").key("code").string(c.code).raw(",").key("permission").boolean(c.permission);
                          w.raw(",").key("message").string(c.message).raw("}");
                      }).out);
}

}  // namespace

EMSCRIPTEN_BINDINGS(orderflow_answers) {
    emscripten::function("visibleStores", &visibleStores);
    emscripten::function("canSee", &canSee);
    emscripten::function("requiredFields", &requiredFields);
    emscripten::function("errorCodes", &errorCodes);
}

// embind bindings of the orderflow engine. Deliberately thin and boring: workflows live in a
// handle table (so JS never owns a C++ object and never calls .delete()), everything else crosses
// the boundary as JSON text or as numbers, and every answer is a value (never an exception).
//
// The JS facade (wasm/js/facade.js) is the only caller; see it for the shapes.
#include <orderflow/workflow.hpp>

#include <emscripten/bind.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

namespace {

using orderflow::json;
using ojson = nlohmann::ordered_json;  // answers keep the documented key order ({ok, errors}, ...)
using orderflow::Workflow;
using orderflow::WorkflowPtr;

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

// Text out: never throws, even on invalid UTF-8 inside a message (replaced by U+FFFD).
std::string dump(const ojson& value) {
    return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Text in: the facade only ever sends JSON.stringify output, so a parse failure means something
// unusual happened; the engine sees `null` and answers with its own invalid_* verdict.
json parse(const std::string& text) {
    json value = json::parse(text, nullptr, false);
    if (value.is_discarded()) return json(nullptr);
    return value;
}

ojson errorJson(const orderflow::Error& e) {
    ojson out = ojson::object();
    out["code"] = e.code;
    out["message"] = e.message;
    if (!e.field.empty()) out["field"] = e.field;
    return out;
}

ojson errorsJson(const std::vector<orderflow::Error>& errors) {
    ojson out = ojson::array();
    for (const auto& e : errors) out.push_back(errorJson(e));
    return out;
}

ojson statusJson(const orderflow::Status& s) {
    ojson out = ojson::object();
    out["id"] = s.id;
    out["label"] = s.label;
    out["color"] = s.color;
    out["terminal"] = s.terminal;
    out["stock"] = s.stock;
    out["notify"] = s.notify;
    return out;
}

std::string loadedJson(const orderflow::Loaded& loaded) {
    ojson out = ojson::object();
    if (!loaded.ok()) {
        ojson problems = ojson::array();
        for (const auto& p : loaded.problems) {
            ojson one = ojson::object();
            one["path"] = p.path;
            one["message"] = p.message;
            problems.push_back(std::move(one));
        }
        out["problems"] = std::move(problems);
        out["error"] = loaded.error();
        return dump(out);
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
    out["handle"] = handle;
    out["id"] = wf.id();
    out["name"] = wf.name();
    out["initial"] = wf.initial();
    ojson statuses = ojson::array();
    for (const auto& s : wf.statuses()) statuses.push_back(statusJson(s));
    out["statuses"] = std::move(statuses);
    out["document"] = ojson(wf.document());
    return dump(out);
}

std::string noWorkflow() {
    // Only reachable if the facade used a released handle: a programming error in the facade.
    return R"({"released":true})";
}

// ---- exported functions -------------------------------------------------------------------

std::string builtinIds() {
    ojson out = ojson::array();
    for (const auto& id : Workflow::builtinIds()) out.push_back(id);
    return dump(out);
}

std::string loadText(std::string text) { return loadedJson(Workflow::load(std::string_view(text))); }

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

std::string normalize(std::uint32_t handle, std::string value) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    auto n = wf->normalize(value);
    ojson out = ojson::object();
    out["ok"] = n.ok;
    if (n.ok)
        out["status"] = n.status;
    else
        out["error"] = errorJson(n.error);
    return dump(out);
}

std::string allowed(std::uint32_t handle, std::string order, std::string actor) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    auto a = wf->allowed(parse(order), parse(actor));
    ojson options = ojson::array();
    for (const auto& o : a.options) {
        ojson one = ojson::object();
        one["id"] = o.id;
        one["label"] = o.label;
        one["color"] = o.color;
        if (!o.action.empty()) one["action"] = o.action;
        one["requires"] = o.required;
        one["optional"] = o.optional;
        one["confirm"] = o.confirm;
        options.push_back(std::move(one));
    }
    ojson out = ojson::object();
    out["options"] = std::move(options);
    out["errors"] = errorsJson(a.errors);
    return dump(out);
}

std::string check(std::uint32_t handle, std::string order, std::string to, std::string fields,
                  std::string actor) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    auto v = wf->check(parse(order), to, parse(fields), parse(actor));
    ojson out = ojson::object();
    out["ok"] = v.ok;
    out["errors"] = errorsJson(v.errors);
    return dump(out);
}

// The whole batch is in wasm memory, laid out by the facade (see facade.js, planBulk):
// `strings` is a JSON array of the interned strings (index 0 unused), the column pointers are
// byte offsets into the heap, and `out` receives one uint32 verdict index per order. Returns the
// verdict table as JSON: [[error, ...], ...] with entry 0 the empty "ok" verdict.
std::string planBatch(std::uint32_t handle, std::uint32_t count, std::string strings,
                      std::uintptr_t status, std::uintptr_t store, std::uintptr_t payment,
                      std::uintptr_t valid, std::uintptr_t itemBegin, std::uintptr_t itemKind,
                      std::uintptr_t itemStock, std::uintptr_t itemQuantity,
                      std::uintptr_t itemsPresent, std::uintptr_t out,
                      std::string to, std::string fields, std::string actor) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    orderflow::OrderBatch batch;
    batch.count = count;
    json table = json::parse(strings, nullptr, false);
    if (table.is_array()) {
        batch.strings.reserve(table.size());
        for (const auto& s : table) batch.strings.push_back(s.is_string() ? s.get<std::string>() : std::string());
    }
    if (batch.strings.empty()) batch.strings.emplace_back();
    batch.status = reinterpret_cast<const std::uint32_t*>(status);
    batch.store = reinterpret_cast<const std::uint32_t*>(store);
    batch.payment = reinterpret_cast<const std::uint32_t*>(payment);
    batch.valid = reinterpret_cast<const std::uint8_t*>(valid);
    batch.item_begin = reinterpret_cast<const std::uint32_t*>(itemBegin);
    batch.item_stock_kind = reinterpret_cast<const std::uint8_t*>(itemKind);
    batch.item_stock = reinterpret_cast<const double*>(itemStock);
    batch.item_quantity = reinterpret_cast<const double*>(itemQuantity);
    batch.items_present = reinterpret_cast<const std::uint8_t*>(itemsPresent);

    auto plan = wf->planBatch(batch, to, parse(fields), parse(actor));
    auto* dest = reinterpret_cast<std::uint32_t*>(out);
    const std::size_t n = plan.verdict.size() < count ? plan.verdict.size() : count;
    for (std::size_t i = 0; i < n; ++i) dest[i] = plan.verdict[i];
    for (std::size_t i = n; i < count; ++i) dest[i] = 0xFFFFFFFFu;  // no verdict: facade asks check()
    ojson verdicts = ojson::array();
    for (const auto& errors : plan.verdicts) verdicts.push_back(errorsJson(errors));
    if (verdicts.empty()) verdicts.push_back(ojson::array());
    return dump(verdicts);
}

}  // namespace

EMSCRIPTEN_BINDINGS(orderflow) {
    emscripten::function("builtinIds", &builtinIds);
    emscripten::function("loadText", &loadText);
    emscripten::function("loadBuiltin", &loadBuiltin);
    emscripten::function("release", &release);
    emscripten::function("liveHandles", &liveHandles);
    emscripten::function("normalize", &normalize);
    emscripten::function("allowed", &allowed);
    emscripten::function("check", &check);
    emscripten::function("planBatch", &planBatch);
}

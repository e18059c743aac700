// embind bindings of the orderflow engine. Deliberately thin and boring: workflows live in a
// handle table (so JS never owns a C++ object and never calls .delete()), everything else crosses
// the boundary as JSON text or as numbers, and every answer is a value (never an exception).
//
// The JS facade (wasm/js/facade.js) is the only caller; see it for the shapes.
#include <orderflow/workflow.hpp>

#include <emscripten/bind.h>
#include <emscripten/emmalloc.h>

#include <cstdint>
#include <string>
#include <map>
#include <vector>

namespace {

using orderflow::json;
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

// Answers are written as JSON text directly, keys in the documented order. Strings are escaped
// and any invalid UTF-8 is replaced by U+FFFD, so the text always parses in JS. (A small writer
// instead of a second nlohmann instantiation keeps the module small and the calls cheap.)
class Writer {
public:
    std::string out;

    Writer& raw(std::string_view text) {
        out.append(text);
        return *this;
    }
    Writer& boolean(bool value) { return raw(value ? "true" : "false"); }
    Writer& number(std::uint32_t value) {
        char buf[12];
        int n = 0;
        do {
            buf[n++] = static_cast<char>('0' + value % 10);
            value /= 10;
        } while (value);
        while (n) out.push_back(buf[--n]);
        return *this;
    }
    Writer& string(std::string_view s) {
        static const char hex[] = "0123456789abcdef";
        out.push_back('"');
        std::size_t i = 0;
        std::size_t run = 0;  // start of the pending run of bytes copied as they are
        while (i < s.size()) {
            const auto c = static_cast<unsigned char>(s[i]);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                ++i;
                continue;
            }
            if (c >= 0x80) {
                const std::size_t len = utf8Length(s, i);
                if (len) {
                    i += len;
                    continue;
                }
            }
            out.append(s.data() + run, i - run);
            if (c == '"' || c == '\\') {
                const char escaped[2] = {'\\', static_cast<char>(c)};
                out.append(escaped, 2);
            } else if (c < 0x80) {
                const char escaped[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out.append(escaped, 6);
            } else {
                out.append("\xEF\xBF\xBD", 3);  // invalid UTF-8: U+FFFD
            }
            run = ++i;
        }
        out.append(s.data() + run, i - run);
        out.push_back('"');
        return *this;
    }
    Writer& key(std::string_view k) {
        string(k);
        out.push_back(':');
        return *this;
    }
    // A JSON array of the items of `list`, each written by each(item).
    template <class List, class Each>
    Writer& array(const List& list, Each&& each) {
        out.push_back('[');
        bool first = true;
        for (const auto& item : list) {
            if (!first) out.push_back(',');
            first = false;
            each(item);
        }
        out.push_back(']');
        return *this;
    }
    Writer& strings(const std::vector<std::string>& list) {
        return array(list, [this](const std::string& s) { string(s); });
    }
    Writer& error(const orderflow::Error& e) {
        raw("{").key("code").string(e.code).raw(",").key("message").string(e.message);
        if (!e.field.empty()) raw(",").key("field").string(e.field);
        if (!e.items.is_null()) raw(",").key("items").value(e.items);  // a stock refusal's short items
        return raw("}");
    }
    // A JSON value (the validated workflow document), keys in the json object's (sorted) order.
    // Written here rather than with json::dump so that it runs no more code than it must (the first
    // call runs cold); a non-integer number, rare in a workflow, is left to json::dump.
    Writer& value(const json& v) {
        switch (v.type()) {
            case json::value_t::null: return raw("null");
            case json::value_t::boolean: return boolean(v.get<bool>());
            case json::value_t::string: return string(*v.get_ptr<const std::string*>());
            case json::value_t::number_integer: return raw(std::to_string(v.get<std::int64_t>()));
            case json::value_t::number_unsigned: return raw(std::to_string(v.get<std::uint64_t>()));
            case json::value_t::array: return array(v, [this](const json& item) { value(item); });
            case json::value_t::object: {
                out.push_back('{');
                bool first = true;
                for (auto it = v.begin(); it != v.end(); ++it) {
                    if (!first) out.push_back(',');
                    first = false;
                    key(it.key());
                    value(it.value());
                }
                out.push_back('}');
                return *this;
            }
            default: return raw(v.dump(-1, ' ', false, json::error_handler_t::replace));
        }
    }
    Writer& errors(const std::vector<orderflow::Error>& list) {
        return array(list, [this](const orderflow::Error& e) { error(e); });
    }

private:
    // Length of the well-formed UTF-8 sequence starting at s[i], or 0 if it is not one.
    static std::size_t utf8Length(std::string_view s, std::size_t i) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) len = 2;
        else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0) lo = 0xa0;
            if (c == 0xed) hi = 0x9f;  // no UTF-16 surrogates
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0) lo = 0x90;
            if (c == 0xf4) hi = 0x8f;
        } else {
            return 0;
        }
        if (i + len > s.size()) return 0;
        const auto c1 = static_cast<unsigned char>(s[i + 1]);
        if (c1 < lo || c1 > hi) return 0;
        for (std::size_t k = 2; k < len; ++k) {
            const auto ck = static_cast<unsigned char>(s[i + k]);
            if (ck < 0x80 || ck > 0xbf) return 0;
        }
        return len;
    }
};

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

std::string loadText(std::uintptr_t buffer, std::uint32_t length) {
    return loadedJson(Workflow::load(Args(buffer).next(length)));
}

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
    if (n.ok)
        w.key("status").string(n.status);
    else
        w.key("error").error(n.error);
    return std::move(w.raw("}").out);
}

std::string allowed(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t orderLength,
                    std::uint32_t actorLength) {
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
        w.raw(",").key("confirm").boolean(o.confirm).raw("}");
    });
    w.raw(",").key("errors").errors(a.errors);
    if (!a.reason.code.empty()) w.raw(",").key("reason").error(a.reason);  // why no option (issue #15)
    return std::move(w.raw("}").out);
}

std::string check(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t orderLength,
                  std::uint32_t toLength, std::uint32_t fieldsLength, std::uint32_t actorLength) {
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
std::string checkMany(std::uint32_t handle, std::uintptr_t buffer, std::uint32_t ordersLength,
                      std::uint32_t toLength, std::uint32_t fieldsLength, std::uint32_t actorLength) {
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
double heapUsed() {
    return static_cast<double>(emmalloc_dynamic_heap_size()) - static_cast<double>(emmalloc_free_dynamic_memory());
}

// What planBatch will read for (to, actor), as JSON: {"any": bits for any status, "unknown": bits
// for a status value the workflow does not know, "statuses": [[value, bits], ...] for every
// current and legacy value} (BatchReads bits). The facade reads, checks, interns and copies only
// those parts of each order. {"any":0,...} for a released handle.
std::string batchReads(std::uint32_t handle, std::uintptr_t text, std::uint32_t toLength,
                       std::uint32_t actorLength) {
    const Workflow* wf = lookup(handle);
    if (!wf) return R"({"any":0,"unknown":0,"statuses":[]})";
    Args args(text);
    std::string_view to = args.next(toLength);
    json actor = parse(args.next(actorLength));
    Writer w;
    w.raw("{").key("any").number(wf->batchReads(to, actor));
    w.raw(",").key("unknown").number(wf->batchReads(to, actor, std::string_view()));  // "" is never a status
    std::vector<std::string> values;  // every current and legacy status value
    for (const auto& s : wf->statuses()) values.push_back(s.id);
    const json& doc = wf->document();
    if (auto a = doc.find("aliases"); a != doc.end() && a->is_object())
        for (auto it = a->begin(); it != a->end(); ++it) values.push_back(it.key());
    w.raw(",").key("statuses").array(values, [&](const std::string& value) {
        w.raw("[").string(value).raw(",").number(wf->batchReads(to, actor, value)).raw("]");
    });
    return std::move(w.raw("}").out);
}

// The whole batch is in wasm memory, laid out by the facade (see facade.js, planBulk): the
// column pointers are byte offsets into the heap, `out` receives one uint32 verdict index per
// order, and the text arguments (a JSON array of the interned strings, index 0 unused; the
// target; the fields and actor JSON) follow each other in `text`. Returns the verdict table as
// JSON: [[error, ...], ...] with entry 0 the empty "ok" verdict.
std::string planBatch(std::uint32_t handle, std::uint32_t count,
                      std::uintptr_t status, std::uintptr_t store, std::uintptr_t payment,
                      std::uintptr_t valid, std::uintptr_t itemBegin, std::uintptr_t itemKind,
                      std::uintptr_t itemStock, std::uintptr_t itemQuantity,
                      std::uintptr_t itemsPresent, std::uintptr_t out, std::uintptr_t text,
                      std::uint32_t stringsLength, std::uint32_t toLength,
                      std::uint32_t fieldsLength, std::uint32_t actorLength) {
    const Workflow* wf = lookup(handle);
    if (!wf) return noWorkflow();
    Args args(text);
    json table = parse(args.next(stringsLength));
    std::string_view to = args.next(toLength);
    json fields = parse(args.next(fieldsLength));
    json actor = parse(args.next(actorLength));
    orderflow::OrderBatch batch;
    batch.count = count;
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
    batch.verdict_out = reinterpret_cast<std::uint32_t*>(out);

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

// Loading a workflow: from text (size, syntax and depth checked first), from a parsed document, or
// built in. The sections of the document are read by the Loader, one function per section in
// core/src/load/*.cpp; run() here calls them in order. Nothing here throws (see the
// JSON_NOEXCEPTION notes in docs/workflow-format.md): types are checked before values are read.
#include <memory>
#include <mutex>

#include "load/loader.hpp"

namespace orderflow {
namespace detail {
struct BuiltinSource {
    std::string_view id;
    std::string_view text;
};
extern const BuiltinSource kBuiltinSources[];
extern const std::size_t kBuiltinSourceCount;
}  // namespace detail

using namespace detail;

namespace {

// Reports syntax errors with line and column, and nesting deeper than kMaxDepth, without building
// anything.
struct SyntaxCheck : nlohmann::json_sax<json> {
    int depth = 0;
    bool tooDeep = false;
    bool failed = false;
    std::string what;
    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool key(string_t&) override { return true; }
    bool start_object(std::size_t) override { return enter(); }
    bool end_object() override {
        --depth;
        return true;
    }
    bool start_array(std::size_t) override { return enter(); }
    bool end_array() override {
        --depth;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& ex) override {
        failed = true;
        what = ex.what();
        return false;
    }
    bool enter() {
        if (++depth > kMaxDepth) {
            tooDeep = true;
            return false;
        }
        return true;
    }
};

}  // namespace

Loaded Loader::run(const json& doc, json* owned) {
    Loaded result;
    auto impl = std::make_unique<Workflow::Impl>();
    w = impl.get();

    if (!doc.is_object()) {
        add("", "a workflow must be a JSON object, got " + kindOf(doc));
        result.problems = std::move(problems);
        return result;
    }
    keys(doc, "", {"id", "name", "description", "initial", "messages", "statuses", "aliases", "roles", "fields", "guards", "transitions"});
    idKey(doc, "id", "", w->id);
    textKey(doc, "name", "", true, w->name, kMaxLabel);
    textKey(doc, "description", "", false, scratch, kMaxText);
    statuses(doc);
    messages(doc);
    initial(doc);
    aliases(doc);
    roles(doc);
    fields(doc);
    messageSizes(doc);
    guards(doc);
    transitions(doc);
    if (problems.empty()) graph();

    if (dropped) problems.push_back({"", std::to_string(dropped) + " more problems not shown"});
    if (!problems.empty()) {
        result.problems = std::move(problems);
        return result;
    }

    w->document = document(doc, owned);  // `doc` is not read after this point (it may be moved from)
    std::string ids;
    for (const auto& s : w->statuses) ids += (ids.empty() ? "" : ", ") + s.id;
    w->invalidStatusText = render(w->messages[kMsgInvalidStatus], {{"statuses", ids}});
    w->guardIndexTmp.clear();
    w = nullptr;
    result.workflow = WorkflowPtr(new Workflow(std::move(impl)));
    return result;
}

int Workflow::Impl::statusKey(std::string_view value) const {
    if (auto it = statusIndex.find(value); it != statusIndex.end()) return it->second;
    if (auto it = aliasIndex.find(value); it != aliasIndex.end()) {
        const auto& a = aliases[static_cast<std::size_t>(it->second)];
        return a.to >= 0 ? a.to : S() + it->second;
    }
    return S() + static_cast<int>(aliases.size());
}

Workflow::Workflow(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Workflow::~Workflow() = default;

Loaded Workflow::load(const json& document) {
    Loader loader;
    return loader.run(document);
}

Loaded Workflow::load(std::string_view text) {
    Loaded result;
    if (text.size() > kMaxWorkflowBytes) {
        result.problems.push_back({"", "the workflow text is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                                           std::to_string(kMaxWorkflowBytes)});
        return result;
    }
    SyntaxCheck sax;
    json::sax_parse(text.begin(), text.end(), &sax);
    if (sax.tooDeep) {
        result.problems.push_back({"", "nested deeper than " + std::to_string(kMaxDepth) + " levels"});
        return result;
    }
    if (sax.failed) {
        std::string what = sax.what;
        const std::string prefix = "] parse error";
        if (auto pos = what.find(prefix); pos != std::string::npos) what = "invalid JSON" + what.substr(pos + prefix.size());
        if (what.size() > 300) what = what.substr(0, 300) + "...";
        if (!validUtf8(what)) what = jsonDump(json(what));
        result.problems.push_back({"", what});
        return result;
    }
    json doc = json::parse(text.begin(), text.end(), nullptr, false);
    if (doc.is_discarded()) {
        result.problems.push_back({"", "invalid JSON"});
        return result;
    }
    Loader loader;
    return loader.run(doc, &doc);
}

namespace {

// A built-in workflow is our own small, well-formed file: it is read with the small reader
// (read.cpp), so nlohmann's lexer and parser do not run when a program starts; whatever the
// reader does not take goes the general way, with the same outcome.
Loaded loadBuiltinText(std::string_view text) {
    json doc;
    if (text.size() <= Workflow::kMaxWorkflowBytes && validUtf8(text) && readPlainJson(text, doc, kMaxDepth)) {
        Loader loader;
        return loader.run(doc, &doc);
    }
    return Workflow::load(text);
}

}  // namespace

const std::vector<std::string>& Workflow::builtinIds() {
    static const std::vector<std::string> ids = [] {
        std::vector<std::string> v;
        for (std::size_t i = 0; i < kBuiltinSourceCount; ++i) v.emplace_back(kBuiltinSources[i].id);
        return v;
    }();
    return ids;
}

std::string_view Workflow::builtinSource(std::string_view id) {
    for (std::size_t i = 0; i < kBuiltinSourceCount; ++i)
        if (kBuiltinSources[i].id == id) return kBuiltinSources[i].text;
    return {};
}

Loaded Workflow::builtin(std::string_view id) {
    // Each built-in is parsed and validated on first use, only the one asked for (start-up pays
    // for one workflow, not all of them); the workflow is immutable and shared afterwards.
    struct Slot {
        std::once_flag once;
        Loaded loaded;
    };
    static const std::unique_ptr<Slot[]> slots(new Slot[kBuiltinSourceCount]);
    for (std::size_t i = 0; i < kBuiltinSourceCount; ++i) {
        if (kBuiltinSources[i].id != id) continue;
        Slot& slot = slots[i];
        std::call_once(slot.once, [&] { slot.loaded = loadBuiltinText(kBuiltinSources[i].text); });
        return slot.loaded;
    }
    Loaded result;
    std::string list;
    for (const auto& b : builtinIds()) list += (list.empty() ? "" : ", ") + b;
    result.problems.push_back({"", "no built-in workflow " + quoteExcerpt(id, 64) + " (built-in: " + list + ")"});
    return result;
}

const std::string& Workflow::id() const { return impl_->id; }
const std::string& Workflow::name() const { return impl_->name; }
const std::string& Workflow::initial() const { return impl_->initial; }
const std::vector<Status>& Workflow::statuses() const { return impl_->statuses; }
const json& Workflow::document() const { return impl_->document; }
const std::vector<std::string>& Workflow::guardFields() const { return impl_->orderFields; }

std::vector<Edge> Workflow::edges() const {
    const Impl& w = *impl_;
    std::vector<Edge> out;
    out.reserve(w.transitions.size());
    for (const auto& t : w.transitions) {
        Edge e{w.statuses[static_cast<std::size_t>(t.from)].id, w.statuses[static_cast<std::size_t>(t.to)].id, t.action, {}};
        for (std::size_t r = 0; r < w.roles.size(); ++r)
            if (t.roles >> r & 1u) e.roles.push_back(w.roles[r].id);
        out.push_back(std::move(e));
    }
    return out;
}

}  // namespace orderflow

// Fuzzes the workflow loader with arbitrary bytes. Besides "no crash, no sanitizer report", it
// checks invariants: a refusal always names at least one problem and has no workflow; an
// accepted workflow's document() loads again to the same document, and the engine answers
// questions about it with valid UTF-8 messages. Also: whatever valid UTF-8 text core's small
// JSON reader (readPlainJson) takes, nlohmann's parser reads to the same value, unless it holds a
// lone surrogate escape (which only the small reader takes, as WTF-8 bytes).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "internal.hpp"
#include "orderflow/workflow.hpp"
#include "require.hpp"

using orderflow::json;
using orderflow::Workflow;

// True when some string or key in v is not valid UTF-8 (a lone surrogate read as WTF-8).
static bool holdsLoneSurrogate(const json& v) {
    if (v.is_string()) return !orderflow::detail::validUtf8(*v.get_ptr<const std::string*>());
    if (v.is_object())
        for (auto it = v.begin(); it != v.end(); ++it)
            if (!orderflow::detail::validUtf8(it.key()) || holdsLoneSurrogate(it.value())) return true;
    if (v.is_array())
        for (const auto& x : v)
            if (holdsLoneSurrogate(x)) return true;
    return false;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (json fast; orderflow::detail::validUtf8(text) && orderflow::readPlainJson(text, fast)) {
        const json slow = json::parse(text.begin(), text.end(), nullptr, false);
        if (slow.is_discarded()) {
            REQUIRE(holdsLoneSurrogate(fast));
        } else {
            REQUIRE(slow == fast);
        }
    }
    auto loaded = Workflow::load(text);
    if (!loaded.ok()) {
        REQUIRE(loaded.workflow == nullptr);
        REQUIRE(!loaded.problems.empty());
        REQUIRE(!loaded.error().empty());
        return 0;
    }
    REQUIRE(loaded.problems.empty());
    const Workflow& w = *loaded.workflow;
    auto again = Workflow::load(w.document());
    REQUIRE(again.ok());
    REQUIRE(again.workflow->document() == w.document());
    const json actors[] = {json{{"role", "admin"}}, json{{"role", "x"}, {"stores", {"s1"}}}};
    for (const auto& s : w.statuses()) {
        REQUIRE(w.normalize(s.id).ok);
        json order = {{"status", s.id}, {"store_id", "s1"}, {"payment_status", "paid"}, {"items", json::array()}};
        for (const auto& actor : actors) {
            auto allowed = w.allowed(order, actor);
            REQUIRE(allowed.errors.empty());
            for (const auto& o : allowed.options) {
                auto v = w.check(order, o.id, nullptr, actor);
                for (const auto& e : v.errors) {
                    REQUIRE(orderflow::detail::validUtf8(e.message));
                    // An offered option is refused only for fields or guards.
                    REQUIRE(e.code == "missing_field" || e.code == "invalid_field" ||
                            (e.code != "terminal_status" && e.code != "invalid_transition" && e.code != "forbidden_role" &&
                             e.code != "forbidden_store" && e.code != "read_only" && e.code != "unknown_status"));
                }
            }
        }
    }
    return 0;
}

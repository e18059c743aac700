// Internal model of a loaded workflow, shared by the loader and the engine. Not installed.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orderflow/text.hpp"
#include "orderflow/workflow.hpp"

namespace orderflow {
namespace detail {

// ---- text helpers (text.cpp) ----
bool validUtf8(std::string_view s);
std::size_t utf8Length(std::string_view s);  // code points; only meaningful when valid
// true when s holds a C0 control other than \n \r \t, DEL, a C1 control or a bidirectional
// formatting control (U+061C, U+200E/F, U+202A..E, U+2066..9) (s must be valid UTF-8)
bool hasControl(std::string_view s);
bool isBlank(std::string_view s);  // empty or only ASCII whitespace
// A short, escaped, double-quoted excerpt of user text, safe to put in a message.
std::string quoteExcerpt(std::string_view s, std::size_t maxChars = 40);
// A number as JavaScript's String(n) writes it (shortest round trip).
std::string jsNumberText(double v);
// Text of a store id (string → itself, number → shortest decimal); false if neither.
bool storeIdText(const json& v, std::string& out);
bool validId(std::string_view s);
bool validColor(std::string_view s);
// What a JSON value is, for messages: "a string", "an array", "null", ...
std::string kindOf(const json& v);
std::string jsonDump(const json& v);  // never throws

// ---- message templates ----
enum Msg : int {
    kMsgInvalidStatus,
    kMsgUnknownRole,
    kMsgTerminalStatus,
    kMsgInvalidTransition,
    kMsgReadOnly,
    kMsgForbiddenRole,
    kMsgForbiddenStore,
    kMsgForbiddenStoreNone,
    kMsgMissingField,
    kMsgFieldUnknown,
    kMsgFieldNotApplicable,
    kMsgFieldTypeText,
    kMsgFieldChoice,
    kMsgFieldTooLong,
    kMsgFieldEncoding,
    kMsgFieldControl,
    kMsgFieldsNotObject,
    kMsgFieldUnknownMore,
    kMsgOrderNotFound,  // for REST adapters; the engine itself does not render these two
    kMsgNotAuthorized,
    kMsgCount
};
extern const char* const kMsgKeys[kMsgCount];
extern const char* const kMsgDefaults[kMsgCount];
using Vars = std::initializer_list<std::pair<std::string_view, std::string_view>>;
std::string render(std::string_view tmpl, Vars vars);
// Placeholders ("{name}") used in a template; false if a brace group is not a valid name.
std::vector<std::string> placeholders(std::string_view tmpl);

constexpr std::size_t kMaxGuards = 32;  // guard bits: TransitionDef::guards, two outcome bits each in a uint64

// ---- model ----
struct RoleDef {
    std::string id, label;
    bool assigned = false;
    bool readOnly = false;
};

struct FieldDef {
    std::string id, label;
    bool choice = false;
    std::size_t maxLength = 1000;
    std::vector<std::string> values;
};

struct GuardKind;  // guards.hpp

struct GuardDef {
    std::string id;
    const GuardKind* kind = nullptr;
    std::string field;  // a kind reading an order field (equals): its key in the order
    int slot = -1;      // that field's index in Workflow::Impl::orderFields (its planBatch column)
    std::string value;  // equals: the expected value
    std::string code, message, missingMessage;
};

struct TransitionDef {
    int from = -1, to = -1;
    int entry = -1;           // index in the document's transitions array
    std::uint64_t roles = 0;  // bit per role
    std::vector<int> required, optional;
    std::uint64_t fieldsAllowed = 0;  // requires | optional, bit per field
    std::uint32_t guards = 0;         // bit per guard
    bool confirm = false;
    std::string action;
};

struct AliasDef {
    std::string value;
    int to = -1;  // status index, -1 = no longer exists
    std::string message;
};

}  // namespace detail

struct Workflow::Impl {
    std::string id, name, initial;
    int initialIndex = -1;
    std::vector<Status> statuses;
    std::vector<detail::RoleDef> roles;
    std::vector<detail::FieldDef> fields;
    std::vector<detail::GuardDef> guards;
    std::vector<std::string> orderFields;            // the top-level order fields guards read, each once (guardFields())
    std::vector<detail::TransitionDef> transitions;  // wildcards expanded, in offer order
    std::vector<detail::AliasDef> aliases;
    std::map<std::string, int, std::less<>> statusIndex, roleIndex, fieldIndex, aliasIndex, guardIndexTmp;
    std::vector<int> table;  // [from * S + to] → index into transitions, or -1
    std::string messages[detail::kMsgCount];
    std::string invalidStatusText;
    json document;

    int S() const { return static_cast<int>(statuses.size()); }
    int transitionIndex(int from, int to) const { return table[static_cast<std::size_t>(from * S() + to)]; }
    // Key of a stored status value: [0, S) a current status (aliases resolved), S + a for alias a to
    // null, S + aliases.size() for an unknown value.
    int statusKey(std::string_view value) const;
};

}  // namespace orderflow

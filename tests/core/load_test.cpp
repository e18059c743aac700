// Loading: the built-in workflows, the validated document, and malformed workflows (each must be
// refused with a message naming the path and the problem, and no workflow at all).
#include <functional>

#include "support.hpp"

using namespace oftest;
using orderflow::Loaded;

namespace {

json cmsDoc() { return json::parse(sourceFile("cms")); }
json deliveryDoc() { return json::parse(sourceFile("delivery")); }

std::vector<std::string> statusIds(const Workflow& w) {
    std::vector<std::string> out;
    for (const auto& s : w.statuses()) out.push_back(s.id);
    return out;
}

}  // namespace

TEST(Load, BuiltinsLoadAndMatchTheirSourceFiles) {
    ASSERT_EQ(Workflow::builtinIds(), (std::vector<std::string>{"cms", "delivery"}));
    for (const auto& id : Workflow::builtinIds()) {
        EXPECT_EQ(Workflow::builtinSource(id), sourceFile(id)) << id << ": compiled-in text differs from the JSON file";
        auto w = builtin(id);
        ASSERT_TRUE(w);
        EXPECT_EQ(w->id(), id);
    }
    EXPECT_EQ(Workflow::builtinSource("nope"), "");
    EXPECT_EQ(Workflow::builtin("cms").workflow, Workflow::builtin("cms").workflow) << "built-ins are loaded once and shared";
    auto missing = Workflow::builtin("nope");
    EXPECT_FALSE(missing.ok());
    EXPECT_NE(missing.error().find("no built-in workflow \"nope\""), std::string::npos) << missing.error();
}

// The built-ins are read with core's small reader (readPlainJson), not nlohmann's parser: it must
// build the same value nlohmann builds, or refuse (and leave the text to nlohmann).
TEST(Load, PlainReaderBuildsWhatNlohmannBuilds) {
    const std::vector<std::string> taken = {
        sourceFile("cms"),
        sourceFile("delivery"),
        "{}",
        "[]",
        " [ 1 , \"a\" , null , true , false ] ",
        "\t{\r\n}\n",
        R"({"a":{"b":[[],{}]},"a":2})",
        R"(["\"\\\/\b\f\n\r\t","\u00e9\u20ac","\ud83d\ude00","é😀"])",
        "[0,-0,7,-7,1.5,-2.25e3,1E-2,18446744073709551615,18446744073709551616,-9223372036854775808,-9223372036854775809]",
    };
    for (const auto& text : taken) {
        json fast;
        ASSERT_TRUE(orderflow::readPlainJson(text, fast)) << text;
        EXPECT_EQ(fast, json::parse(text)) << text;
        EXPECT_EQ(fast.dump(), json::parse(text).dump()) << text;  // same number kinds too
    }
    const std::vector<std::string> refused = {
        "",    " ",       "{",        "[1,]",  "{\"a\" 1}", "{\"a\":1,}", "01",    "1.",      "-",        "+1", "[1 2]",
        "nul", "\"\\x\"", "\"a\nb\"", "{} {}", "[1]x",      "'a'",        "[NaN]", "848e889", "[-1e400]",  // out of a double's range:
                                                                                                           // nlohmann refuses these (found
                                                                                                           // by fuzz_load)
    };
    for (const auto& text : refused) {
        json fast;
        EXPECT_FALSE(orderflow::readPlainJson(text, fast)) << text;
    }
    json fast;
    // A lone surrogate escape (JSON.stringify writes one for a lone UTF-16 surrogate) is kept as
    // its own WTF-8 bytes, so that two different ones never read as the same string.
    ASSERT_TRUE(orderflow::readPlainJson(R"(["\ud800","\udc00","\ud800\u0041","\ud83d\ude00"])", fast));
    EXPECT_EQ(fast, json({"\xED\xA0\x80", "\xED\xB0\x80",
                          "\xED\xA0\x80"
                          "A",
                          "\xF0\x9F\x98\x80"}));
    EXPECT_TRUE(orderflow::readPlainJson("[[[]]]", fast, 3));
    EXPECT_FALSE(orderflow::readPlainJson("[[[[]]]]", fast, 3)) << "deeper than maxDepth";
}

// edges(): the arrows the engine applies, a "*" transition drawn from each status it applies from.
TEST(Load, EdgesExpandWildcardsAsTheEngineApplies) {
    auto describeEdges = [](const Workflow& w) {
        std::vector<std::string> out;
        for (const auto& e : w.edges()) {
            std::string roles;
            for (const auto& r : e.roles) roles += (roles.empty() ? "" : ",") + r;
            out.push_back(e.from + ">" + e.to + " " + e.action + " [" + roles + "]");
        }
        return out;
    };
    auto delivery = builtin("delivery");
    ASSERT_TRUE(delivery);
    EXPECT_EQ(describeEdges(*delivery),
              (std::vector<std::string>{"pending>confirmed Accept [admin,manager]", "pending>cancelled Decline [admin,manager]",
                                        "confirmed>assigned Next [admin,manager]", "assigned>in_transit Next [admin,driver]",
                                        "in_transit>delivered Next [admin,driver]", "confirmed>cancelled Cancel [admin,manager]",
                                        "assigned>cancelled Cancel [admin,manager]", "in_transit>cancelled Cancel [admin,manager]"}));
    // An explicit transition to the same target wins over "*"; none from terminal statuses or to itself.
    auto w = Workflow::load(R"({"id":"t","name":"T","initial":"a","statuses":[
        {"id":"a","label":"A","color":"#000000"},{"id":"b","label":"B","color":"#000000"},
        {"id":"x","label":"X","color":"#000000","terminal":true}],
        "roles":[{"id":"r","label":"R","scope":"all"},{"id":"s","label":"S","scope":"all"}],
        "transitions":[{"from":"a","to":"b","roles":["r"]},{"from":"*","to":"x","action":"Stop","roles":["s"]},
                       {"from":"b","to":"x","action":"Finish","roles":["r","s"]}]})");
    ASSERT_TRUE(w.ok()) << w.error();
    EXPECT_EQ(describeEdges(*w.workflow), (std::vector<std::string>{"a>b  [r]", "a>x Stop [s]", "b>x Finish [r,s]"}));
}

TEST(Load, CmsStatusesAsTheDocumentSays) {
    auto w = builtin("cms");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->name(), "CMS orders");
    EXPECT_EQ(w->initial(), "new");
    EXPECT_EQ(statusIds(*w), (std::vector<std::string>{"new", "processing", "ready_for_pickup", "completed", "cancelled", "rejected"}));
    std::vector<bool> terminal;
    for (const auto& s : w->statuses()) terminal.push_back(s.terminal);
    EXPECT_EQ(terminal, (std::vector<bool>{false, false, false, true, true, true}));
    EXPECT_EQ(w->statuses()[2].label, "Ready for Pickup");
}

TEST(Load, DeliveryStatusesAndColoursAsTheDocumentSays) {
    auto w = builtin("delivery");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->initial(), "pending");
    EXPECT_EQ(statusIds(*w), (std::vector<std::string>{"pending", "confirmed", "assigned", "in_transit", "delivered", "cancelled"}));
    // Flutter's Colors.orange, blue, purple, amber, green, red (Material 500 shades).
    std::vector<std::string> colours;
    for (const auto& s : w->statuses()) colours.push_back(s.color);
    EXPECT_EQ(colours, (std::vector<std::string>{"#ff9800", "#2196f3", "#9c27b0", "#ffc107", "#4caf50", "#f44336"}));
    std::vector<bool> terminal;
    for (const auto& s : w->statuses()) terminal.push_back(s.terminal);
    EXPECT_EQ(terminal, (std::vector<bool>{false, false, false, false, true, true}));
}

TEST(Load, DocumentHasDefaultsAndLoadsAgainToTheSameWorkflow) {
    for (const auto& id : Workflow::builtinIds()) {
        auto w = builtin(id);
        ASSERT_TRUE(w);
        const json& doc = w->document();
        for (const auto& s : doc["statuses"]) {
            EXPECT_TRUE(s["terminal"].is_boolean());
            EXPECT_TRUE(s["stock"].is_string());
            EXPECT_TRUE(s["notify"].is_boolean());
        }
        for (const auto& t : doc["transitions"]) {
            EXPECT_TRUE(t["requires"].is_array());
            EXPECT_TRUE(t["optional"].is_array());
            EXPECT_TRUE(t["confirm"].is_boolean());
            EXPECT_TRUE(t["action"].is_string());
        }
        EXPECT_EQ(doc["messages"]["invalid_status"], "Invalid status value. Must be one of: {statuses}");
        EXPECT_TRUE(doc["messages"].contains("forbidden_store"));
        // The REST adapters' sentences travel with the workflow (the quick reference's words by default).
        EXPECT_EQ(doc["messages"]["order_not_found"], "Order not found");
        EXPECT_EQ(doc["messages"]["not_authorized"], "Not authorized to update order status");
        auto again = Workflow::load(doc);
        ASSERT_TRUE(again.ok()) << again.error();
        EXPECT_EQ(again.workflow->document(), doc);
        auto fromText = Workflow::load(doc.dump());
        ASSERT_TRUE(fromText.ok()) << fromText.error();
    }
    // The delivery wildcard is kept as written.
    auto d = builtin("delivery");
    EXPECT_EQ(d->document()["transitions"][5]["from"], "*");
}

TEST(Load, ProblemTextJoinsPathAndMessage) {
    orderflow::Problem p{"transitions[3].to", "unknown status \"shiped\""};
    EXPECT_EQ(p.text(), "transitions[3].to: unknown status \"shiped\"");
    orderflow::Problem whole{"", "invalid JSON"};
    EXPECT_EQ(whole.text(), "invalid JSON");
}

// ---- malformed workflows ----

struct Bad {
    const char* name;
    std::function<json()> make;  // a document (from text cases the text is in `text`)
    std::string expected;        // a line of Loaded::error() must contain this
};

void PrintTo(const Bad& bad, std::ostream* os) { *os << bad.name; }

class Malformed : public ::testing::TestWithParam<Bad> {};

TEST_P(Malformed, RefusedWithPathAndProblem) {
    const Bad& bad = GetParam();
    Loaded loaded = Workflow::load(bad.make());
    EXPECT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.workflow, nullptr);
    ASSERT_FALSE(loaded.problems.empty());
    EXPECT_NE(loaded.error().find(bad.expected), std::string::npos) << "expected a problem containing: " << bad.expected << "\ngot:\n"
                                                                    << loaded.error();
    // Loading the same document from its text gives the same problems.
    Loaded fromText = Workflow::load(bad.make().dump());
    EXPECT_EQ(fromText.error(), loaded.error());
}

json with(json doc, const std::function<void(json&)>& f) {
    f(doc);
    return doc;
}

const Bad kBad[] = {
    {"NotAnObject", [] { return json::array(); }, "a workflow must be a JSON object, got an array"},
    {"IdMissing", [] { return with(cmsDoc(), [](json& d) { d.erase("id"); }); }, "id: missing (required)"},
    {"IdWrongType", [] { return with(cmsDoc(), [](json& d) { d["id"] = 7; }); }, "id: expected a string, got a number"},
    {"IdEmpty", [] { return with(cmsDoc(), [](json& d) { d["id"] = ""; }); }, "id: must not be empty"},
    {"UnknownTopKey", [] { return with(cmsDoc(), [](json& d) { d["transition"] = json::array(); }); },
     "transition: unknown key (expected one of: id, name"},
    {"NameMissing", [] { return with(cmsDoc(), [](json& d) { d.erase("name"); }); }, "name: missing (required)"},
    {"StatusesEmpty", [] { return with(cmsDoc(), [](json& d) { d["statuses"] = json::array(); }); },
     "statuses: expected 1 to 256 statuses, got 0"},
    {"StatusesNotArray", [] { return with(cmsDoc(), [](json& d) { d["statuses"] = json::object(); }); },
     "statuses: expected an array, got an object"},
    {"TooManyStatuses",
     [] {
         return with(cmsDoc(), [](json& d) {
             for (int i = 0; i < 300; ++i) d["statuses"].push_back({{"id", "s" + std::to_string(i)}, {"label", "S"}, {"color", "#000"}});
         });
     },
     "statuses: expected 1 to 256 statuses, got 306"},
    {"StatusNotObject", [] { return with(cmsDoc(), [](json& d) { d["statuses"][1] = "processing"; }); },
     "statuses[1]: expected an object, got a string"},
    {"DuplicateStatus", [] { return with(cmsDoc(), [](json& d) { d["statuses"][1]["id"] = "new"; }); },
     "statuses[1].id: duplicate status \"new\""},
    {"EmptyStatusId", [] { return with(cmsDoc(), [](json& d) { d["statuses"][5]["id"] = ""; }); }, "statuses[5].id: must not be empty"},
    {"StatusIdWithSpace", [] { return with(cmsDoc(), [](json& d) { d["statuses"][5]["id"] = "re jected"; }); },
     "statuses[5].id: invalid id \"re jected\""},
    {"BadColour", [] { return with(cmsDoc(), [](json& d) { d["statuses"][0]["color"] = "blue"; }); },
     "statuses[0].color: invalid colour \"blue\""},
    {"BadHexColour", [] { return with(cmsDoc(), [](json& d) { d["statuses"][0]["color"] = "#12345g"; }); },
     "statuses[0].color: invalid colour \"#12345g\""},
    {"TerminalNotBool", [] { return with(cmsDoc(), [](json& d) { d["statuses"][3]["terminal"] = "yes"; }); },
     "statuses[3].terminal: expected true or false, got a string"},
    {"BadStock", [] { return with(cmsDoc(), [](json& d) { d["statuses"][1]["stock"] = "held"; }); },
     "statuses[1].stock: expected \"none\", \"reserved\" or \"consumed\", got \"held\""},
    {"UnknownStatusKey", [] { return with(cmsDoc(), [](json& d) { d["statuses"][0]["colour"] = "#fff"; }); },
     "statuses[0].colour: unknown key"},
    {"LabelMissing", [] { return with(cmsDoc(), [](json& d) { d["statuses"][2].erase("label"); }); },
     "statuses[2].label: missing (required)"},
    {"InitialUnknown", [] { return with(cmsDoc(), [](json& d) { d["initial"] = "neww"; }); }, "initial: unknown status \"neww\""},
    {"InitialTerminal", [] { return with(cmsDoc(), [](json& d) { d["initial"] = "completed"; }); },
     "initial: status \"completed\" is terminal"},
    {"TransitionToUnknown", [] { return with(deliveryDoc(), [](json& d) { d["transitions"][3]["to"] = "shiped"; }); },
     "transitions[3].to: unknown status \"shiped\""},
    {"TransitionFromUnknown", [] { return with(cmsDoc(), [](json& d) { d["transitions"][0]["from"] = "nwe"; }); },
     "transitions[0].from: unknown status \"nwe\""},
    {"TransitionFromTerminal",
     [] {
         return with(cmsDoc(), [](json& d) { d["transitions"].push_back({{"from", "completed"}, {"to", "new"}, {"roles", {"admin"}}}); });
     },
     "transitions[8].from: status \"completed\" is terminal: no transition may leave it"},
    {"TransitionToItself", [] { return with(cmsDoc(), [](json& d) { d["transitions"][0]["to"] = "new"; }); },
     "transitions[0]: goes from \"new\" to itself"},
    {"DuplicateTransition", [] { return with(cmsDoc(), [](json& d) { d["transitions"].push_back(d["transitions"][1]); }); },
     "transitions[8]: duplicate transition \"new\" -> \"cancelled\" (also transitions[1])"},
    {"DuplicateWildcard", [] { return with(deliveryDoc(), [](json& d) { d["transitions"].push_back(d["transitions"][5]); }); },
     "transitions[6]: duplicate transition \"*\" -> \"cancelled\" (also transitions[5])"},
    {"UnknownRoleInTransition", [] { return with(cmsDoc(), [](json& d) { d["transitions"][0]["roles"][1] = "manager"; }); },
     "transitions[0].roles[1]: unknown role \"manager\""},
    {"ReadOnlyRoleInTransition", [] { return with(cmsDoc(), [](json& d) { d["transitions"][0]["roles"].push_back("reporting"); }); },
     "transitions[0].roles[3]: role \"reporting\" is read-only"},
    {"EmptyRoles", [] { return with(cmsDoc(), [](json& d) { d["transitions"][0]["roles"] = json::array(); }); },
     "transitions[0].roles: expected 1 to 64 roles, got 0"},
    {"UnknownRequiredField", [] { return with(cmsDoc(), [](json& d) { d["transitions"][2]["requires"][0] = "reason"; }); },
     "transitions[2].requires[0]: unknown field \"reason\""},
    {"RequiredAndOptional", [] { return with(cmsDoc(), [](json& d) { d["transitions"][2]["optional"].push_back("rejection_reason"); }); },
     "transitions[2].optional: field \"rejection_reason\" is also required"},
    {"UnknownGuard", [] { return with(cmsDoc(), [](json& d) { d["transitions"][0]["guards"][0] = "in_stock"; }); },
     "transitions[0].guards[0]: unknown guard \"in_stock\""},
    {"ConfirmNotBool", [] { return with(cmsDoc(), [](json& d) { d["transitions"][1]["confirm"] = 1; }); },
     "transitions[1].confirm: expected true or false, got a number"},
    {"UnreachableStatus", [] { return with(cmsDoc(), [](json& d) { d["transitions"].erase(3); }); },
     "statuses[2]: status \"ready_for_pickup\" cannot be reached from the initial status \"new\""},
    {"AliasShadowsStatus", [] { return with(deliveryDoc(), [](json& d) {
                                    d["aliases"]["pending"] = {{"to", "confirmed"}};
                                }); },
     "aliases.pending: shadows the current status \"pending\""},
    {"AliasToUnknown", [] { return with(deliveryDoc(), [](json& d) { d["aliases"]["shipped"]["to"] = "shipped_out"; }); },
     "aliases.shipped.to: unknown status \"shipped_out\""},
    {"AliasNullWithoutMessage", [] { return with(deliveryDoc(), [](json& d) { d["aliases"]["refunded"].erase("message"); }); },
     "aliases.refunded.message: missing (required when \"to\" is null)"},
    {"AliasToMissing", [] { return with(deliveryDoc(), [](json& d) { d["aliases"]["shipped"] = json::object(); }); },
     "aliases.shipped.to: missing"},
    {"DuplicateRole", [] { return with(cmsDoc(), [](json& d) { d["roles"][1]["id"] = "admin"; }); },
     "roles[1].id: duplicate role \"admin\""},
    {"BadScope", [] { return with(cmsDoc(), [](json& d) { d["roles"][0]["scope"] = "every"; }); },
     "roles[0].scope: expected \"all\" or \"assigned\", got \"every\""},
    {"ScopeMissing", [] { return with(cmsDoc(), [](json& d) { d["roles"][0].erase("scope"); }); }, "roles[0].scope: missing (required)"},
    {"MaxLengthZero", [] { return with(cmsDoc(), [](json& d) { d["fields"][0]["maxLength"] = 0; }); },
     "fields[0].maxLength: must be at least 1, got 0"},
    {"MaxLengthNegative", [] { return with(cmsDoc(), [](json& d) { d["fields"][1]["maxLength"] = -5; }); },
     "fields[1].maxLength: must be at least 1, got -5"},
    {"MaxLengthFraction", [] { return with(cmsDoc(), [](json& d) { d["fields"][1]["maxLength"] = 2.5; }); },
     "fields[1].maxLength: expected a whole number, got 2.5"},
    {"DuplicateField", [] { return with(cmsDoc(), [](json& d) { d["fields"][1]["id"] = "notes"; }); },
     "fields[1].id: duplicate field \"notes\""},
    {"BadFieldType", [] { return with(cmsDoc(), [](json& d) { d["fields"][1]["type"] = "number"; }); },
     "fields[1].type: expected \"text\" or \"choice\", got \"number\""},
    {"ChoiceWithoutValues",
     [] {
         return with(cmsDoc(), [](json& d) {
             d["fields"][1]["type"] = "choice";
             d["fields"][1].erase("maxLength");
         });
     },
     "fields[1].values: missing (required)"},
    {"DuplicateGuard", [] { return with(cmsDoc(), [](json& d) { d["guards"][1]["id"] = "payment_settled"; }); },
     "guards[1].id: duplicate guard \"payment_settled\""},
    {"BadGuardKind", [] { return with(cmsDoc(), [](json& d) { d["guards"][0]["kind"] = "matches"; }); },
     "guards[0].kind: expected \"equals\" or \"items_in_stock\", got \"matches\""},
    {"GuardOnEngineField", [] { return with(cmsDoc(), [](json& d) { d["guards"][0]["field"] = "status"; }); },
     "guards[0].field: the engine reads \"status\" itself: an equals guard reads another order field"},
    {"GuardOnItemsField", [] { return with(cmsDoc(), [](json& d) { d["guards"][0]["field"] = "items"; }); },
     "guards[0].field: the engine reads \"items\" itself: an equals guard reads another order field"},
    {"GuardFieldNotAnId", [] { return with(cmsDoc(), [](json& d) { d["guards"][0]["field"] = "fraud check"; }); },
     "guards[0].field: invalid id \"fraud check\" (use at most 64 letters, digits, '_', '.', '-', not starting with '.' or '-')"},
    {"GuardFieldOnItemsKind", [] { return with(cmsDoc(), [](json& d) { d["guards"][1]["value"] = "x"; }); },
     "guards[1].value: not used by kind \"items_in_stock\""},
    {"GuardWithEngineCode", [] { return with(cmsDoc(), [](json& d) { d["guards"][0]["code"] = "read_only"; }); },
     "guards[0].code: \"read_only\" is one of the engine's own codes"},
    {"UnknownMessageKey", [] { return with(cmsDoc(), [](json& d) {
                                   d["messages"] = {{"invalid_staus", "x"}};
                               }); },
     "messages.invalid_staus: unknown message template"},
    {"MessageExpansionBounded",
     [] {
         return with(cmsDoc(), [](json& d) {
             // 200 more statuses with 60-character ids: {statuses} stands for about 12 KB
             for (int i = 0; i < 200; ++i)
                 d["statuses"].push_back({{"id", "s" + std::to_string(i) + std::string(56, 'x')}, {"label", "S"}, {"color", "#000000"}});
             std::string t;
             for (int i = 0; i < 199; ++i) t += "{statuses}";  // 1990 characters: within kMaxText
             d["messages"] = {{"invalid_status", t}};
         });
     },
     "messages.invalid_status: could expand to"},
    {"MessageExpansionBoundedChoice",
     [] {
         return with(cmsDoc(), [](json& d) {
             d["fields"][0] = {{"id", "notes"}, {"label", "Notes"}, {"type", "choice"}, {"values", json::array()}};
             for (int i = 0; i < 200; ++i) d["fields"][0]["values"].push_back(std::string(190, 'a') + std::to_string(i));
             d["messages"] = {{"field_choice", "{field}: {values} {values}"}};
         });
     },
     "messages.field_choice: could expand to"},
    {"UnknownPlaceholder", [] { return with(cmsDoc(), [](json& d) {
                                    d["messages"] = {{"invalid_status", "Bad {value}"}};
                                }); },
     "messages.invalid_status: unknown placeholder {value} (allowed: {statuses})"},
    // Regression (found by fuzz_load): a wrong-typed section used to be written into while
    // filling in defaults, which throws (an abort in the wasm build).
    {"MessagesNotObject", [] { return with(cmsDoc(), [](json& d) { d["messages"] = json::array({1}); }); },
     "messages: expected an object, got an array"},
    {"AliasesNotObject", [] { return with(deliveryDoc(), [](json& d) { d["aliases"] = "processing"; }); },
     "aliases: expected an object, got a string"},
    {"FieldsNotArray", [] { return with(cmsDoc(), [](json& d) { d["fields"] = json::object(); }); },
     "fields: expected an array, got an object"},
    {"TransitionsNotArray", [] { return with(cmsDoc(), [](json& d) { d["transitions"] = json::object(); }); },
     "transitions: expected an array, got an object"},
    {"ControlCharacterInLabel", [] { return with(cmsDoc(), [](json& d) { d["statuses"][0]["label"] = std::string("Ne\x01w"); }); },
     "statuses[0].label: contains control characters"},
};

INSTANTIATE_TEST_SUITE_P(Workflows, Malformed, ::testing::ValuesIn(kBad),
                         [](const ::testing::TestParamInfo<Bad>& info) { return std::string(info.param.name); });

TEST(LoadText, InvalidJsonNamesLineAndColumn) {
    auto loaded = Workflow::load(std::string_view("{\n  \"id\": \"x\",\n  \"name\": tru }\n}"));
    EXPECT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().find("invalid JSON at line 3, column"), std::string::npos) << loaded.error();
}

TEST(LoadText, EmptyAndTruncatedText) {
    for (std::string_view text : {std::string_view(""), std::string_view("{\"id\": \"cms\""), std::string_view("nul")}) {
        auto loaded = Workflow::load(text);
        EXPECT_FALSE(loaded.ok());
        EXPECT_NE(loaded.error().find("invalid JSON"), std::string::npos) << loaded.error();
    }
}

TEST(LoadText, InvalidUtf8IsInvalidJson) {
    std::string text = sourceFile("cms");
    text.replace(text.find("CMS orders"), 3, "\xC3\x28X");
    auto loaded = Workflow::load(text);
    EXPECT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().find("invalid JSON"), std::string::npos) << loaded.error();
}

TEST(LoadText, OversizeTextIsRefusedBeforeParsing) {
    std::string text = sourceFile("cms");
    text.append(Workflow::kMaxWorkflowBytes, ' ');
    auto loaded = Workflow::load(text);
    EXPECT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().find("more than the limit of 1048576"), std::string::npos) << loaded.error();
}

TEST(LoadText, DeepNestingIsRefused) {
    std::string text = "{\"id\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
    auto loaded = Workflow::load(text);
    EXPECT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().find("nested deeper than 32 levels"), std::string::npos) << loaded.error();
}

TEST(LoadText, EveryProblemIsReportedButTheListIsCapped) {
    json doc = cmsDoc();
    doc["statuses"][0]["color"] = "red";
    doc["roles"][0]["scope"] = "x";
    doc["transitions"][0]["to"] = "nowhere";
    auto loaded = Workflow::load(doc);
    ASSERT_FALSE(loaded.ok());
    EXPECT_EQ(loaded.problems.size(), 3u) << loaded.error();

    json many = cmsDoc();
    for (int i = 0; i < 200; ++i) many["transitions"].push_back({{"from", "new"}, {"to", "x" + std::to_string(i)}, {"roles", {"admin"}}});
    auto capped = Workflow::load(many);
    ASSERT_FALSE(capped.ok());
    EXPECT_EQ(capped.problems.size(), 101u);
    EXPECT_EQ(capped.problems.back().message, "100 more problems not shown");
}

TEST(LoadCustom, ChoiceFieldsWildcardsAndMessageOverrides) {
    json doc = {
        {"id", "returns"},
        {"name", "Returns"},
        {"initial", "open"},
        {"messages", {{"invalid_status", "Use one of {statuses}."}, {"invalid_transition", "No way from {from} to {to}."}}},
        {"statuses",
         {{{"id", "open"}, {"label", "Open"}, {"color", "#abc"}},
          {{"id", "inspected"}, {"label", "Inspected"}, {"color", "#abcd"}},
          {{"id", "closed"}, {"label", "Closed"}, {"color", "#aabbcc"}, {"terminal", true}},
          {{"id", "void"}, {"label", "Void"}, {"color", "#aabbccdd"}, {"terminal", true}}}},
        {"roles", {{{"id", "clerk"}, {"label", "Clerk"}, {"scope", "all"}}}},
        {"fields", {{{"id", "reason"}, {"label", "Reason"}, {"type", "choice"}, {"values", {"damaged", "late"}}}}},
        {"transitions",
         {{{"from", "open"}, {"to", "inspected"}, {"roles", {"clerk"}}, {"requires", {"reason"}}},
          {{"from", "inspected"}, {"to", "closed"}, {"roles", {"clerk"}}},
          {{"from", "*"}, {"to", "void"}, {"roles", {"clerk"}}}}},
    };
    auto w = loadOk(doc);
    ASSERT_TRUE(w);
    json actor = {{"role", "clerk"}};
    json order = {{"status", "open"}};
    auto bad = w->check(order, "inspected", {{"reason", "lost"}}, actor);
    EXPECT_EQ(describe(bad.errors), "invalid_field: Reason must be one of: damaged, late. [reason]\n");
    EXPECT_TRUE(w->check(order, "inspected", {{"reason", "late"}}, actor).ok);
    EXPECT_EQ(describe(w->check(order, "closed", nullptr, actor).errors), "invalid_transition: No way from Open to Closed.\n");
    EXPECT_EQ(describe(w->check(order, "gone", nullptr, actor).errors), "unknown_status: Use one of open, inspected, closed, void.\n");
    EXPECT_TRUE(w->check(order, "void", nullptr, actor).ok);
    EXPECT_TRUE(w->check({{"status", "inspected"}}, "void", nullptr, actor).ok);
    EXPECT_EQ(codes(w->check({{"status", "closed"}}, "void", nullptr, actor).errors), std::vector<std::string>{"terminal_status"});
    // Regression (found by fuzz_load): transitions without "action" get "" in document(), which
    // must load again.
    auto again = Workflow::load(w->document());
    ASSERT_TRUE(again.ok()) << again.error();
    EXPECT_EQ(again.workflow->document(), w->document());
}

// Schema violations in words (violation_words.h): per keyword, in French and
// English, the field named by its labels, found and expected values said;
// and the invalid_data refusal of a real decision carrying them.
#include "engine/workflow/violation_words.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/workflow/decision.h"
#include "engine/workflow/json_schema.h"
#include "engine/workflow/loader.h"
#include "tests/workflow/project_driver.h"

namespace relais::workflow {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const Json& Schema() {
  // clang-format off
  static const Json kSchema = Json::parse(R"json({
    "type": "object",
    "required": ["montant", "porteur"],
    "additionalProperties": false,
    "properties": {
      "montant": {"type": "integer", "minimum": 0, "maximum": 1000000, "multipleOf": 10,
                  "labels": {"fr": "Montant accordé (€)", "en": "Amount granted (€)"}},
      "taux": {"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1,
               "labels": {"fr": "Taux", "en": "Rate"}},
      "porteur": {"type": "object", "labels": {"fr": "Porteur", "en": "Lead"},
        "properties": {
          "nature": {"enum": ["association", "entreprise"], "labels": {"fr": "Nature du porteur", "en": "Kind of lead"},
                     "enum_labels": {"association": {"fr": "Association", "en": "Non-profit"},
                                     "entreprise": {"fr": "Entreprise", "en": "Company"}}},
          "siret": {"type": "string", "pattern": "^[0-9]{14}$", "labels": {"fr": "SIRET", "en": "SIRET"}}
        }},
      "conventions": {"type": "array", "maxItems": 2, "labels": {"fr": "Conventions", "en": "Agreements"},
        "items": {"type": "object", "properties": {
          "intitule": {"type": "string", "minLength": 3, "maxLength": 10, "labels": {"fr": "Intitulé", "en": "Title"}},
          "date": {"type": "string", "pattern": "^\\d{4}-\\d{2}-\\d{2}$", "labels": {"fr": "Date", "en": "Date"}}
        }}},
      "codes": {"type": "array", "uniqueItems": true, "minItems": 1, "items": {"type": "string"}},
      "version": {"const": 2, "labels": {"fr": "Version", "en": "Version"}},
      "sans_label": {"type": "boolean"}
    }
  })json");
  // clang-format on
  return kSchema;
}

Json Valid() { return {{"montant", 5000}, {"porteur", {{"nature", "association"}}}}; }

// The words of the only violation of `value` with `keyword`.
Message WordsOf(const Json& value, const std::string& keyword) {
  auto violations = ValidateJson(Schema(), value);
  for (const auto& v : violations)
    if (v.keyword == keyword) return ViolationWords(Schema(), value, v);
  ADD_FAILURE() << "no " << keyword << " violation in " << DumpJson(value);
  return {};
}

Json With(const std::string& key, Json v) {
  Json out = Valid();
  out[key] = std::move(v);
  return out;
}

TEST(ViolationWordsTest, MinimumNamesTheLabelTheFoundAndTheLimit) {
  Message m = WordsOf(With("montant", -5000), "minimum");
  EXPECT_EQ(m.fr, "Montant accordé (€) : -5000 est inférieur au minimum, 0.");
  EXPECT_EQ(m.en, "Amount granted (€): -5000 is below the minimum, 0.");
}

TEST(ViolationWordsTest, MaximumAndMultipleOf) {
  EXPECT_EQ(WordsOf(With("montant", 2000000), "maximum").fr,
            "Montant accordé (€) : 2000000 dépasse le maximum, 1000000.");
  Message m = WordsOf(With("montant", 15), "multipleOf");
  EXPECT_EQ(m.fr, "Montant accordé (€) : 15 n'est pas un multiple de 10.");
  EXPECT_EQ(m.en, "Amount granted (€): 15 is not a multiple of 10.");
}

TEST(ViolationWordsTest, ExclusiveBoundsWithFrenchDecimals) {
  Message low = WordsOf(With("taux", 0), "exclusiveMinimum");
  EXPECT_EQ(low.fr, "Taux : 0 doit être strictement supérieur à 0.");
  EXPECT_EQ(low.en, "Rate: 0 must be greater than 0.");
  Message high = WordsOf(With("taux", 1.5), "exclusiveMaximum");
  EXPECT_EQ(high.fr, "Taux : 1,5 doit être strictement inférieur à 1.");
  EXPECT_EQ(high.en, "Rate: 1.5 must be less than 1.");
}

TEST(ViolationWordsTest, RequiredNamesTheMissingFieldByItsLabel) {
  Json v = Valid();
  v.erase("montant");
  Message m = WordsOf(v, "required");
  EXPECT_EQ(m.fr, "Montant accordé (€) : ce champ est obligatoire et n'est pas renseigné.");
  EXPECT_EQ(m.en, "Amount granted (€): this field is required and missing.");
}

TEST(ViolationWordsTest, TypeSaysWhatIsExpectedAndWhatWasFound) {
  Message m = WordsOf(With("montant", "beaucoup"), "type");
  EXPECT_EQ(m.fr, "Montant accordé (€) : il faut un nombre entier, pas du texte (« beaucoup »).");
  EXPECT_EQ(m.en, "Amount granted (€): a whole number is expected, not text (\"beaucoup\").");
  EXPECT_EQ(WordsOf(With("sans_label", 3), "type").fr, "Sans label : il faut oui ou non, pas un nombre entier.");
}

TEST(ViolationWordsTest, EnumListsTheChoicesByTheirLabels) {
  Json v = Valid();
  v["porteur"]["nature"] = "collectivite";
  Message m = WordsOf(v, "enum");
  EXPECT_EQ(
      m.fr,
      "Porteur › Nature du porteur : « collectivite » n'est pas un choix possible ; les choix sont « Association », "
      "« Entreprise ».");
  EXPECT_EQ(m.en, "Lead › Kind of lead: \"collectivite\" is not one of the choices: \"Non-profit\", \"Company\".");
}

TEST(ViolationWordsTest, ListItemsAreNamedByTheirPosition) {
  Json v = With("conventions", Json::array({{{"intitule", "Convention A"}}, {{"intitule", "CA"}}}));
  Message longer = WordsOf(v, "maxLength");
  EXPECT_EQ(longer.fr, "Conventions, n° 1 › Intitulé : au plus 10 caractères attendus, 12 saisis.");
  EXPECT_EQ(longer.en, "Agreements, item 1 › Title: at most 10 characters expected, 12 given.");
  Message shorter = WordsOf(v, "minLength");
  EXPECT_EQ(shorter.fr, "Conventions, n° 2 › Intitulé : au moins 3 caractères attendus, 2 saisis.");
}

TEST(ViolationWordsTest, ItemCountsAndUniqueness) {
  Message many =
      WordsOf(With("conventions", Json::array({Json::object(), Json::object(), Json::object()})), "maxItems");
  EXPECT_EQ(many.fr, "Conventions : au plus 2 éléments attendus, 3 donnés.");
  EXPECT_EQ(many.en, "Agreements: at most 2 items expected, 3 given.");
  Message few = WordsOf(With("codes", Json::array()), "minItems");
  EXPECT_EQ(few.fr, "Codes : au moins 1 élément attendu, 0 donné.");
  Message twice = WordsOf(With("codes", Json::array({"a", "b", "a"})), "uniqueItems");
  EXPECT_EQ(twice.fr, "Codes, n° 3 : « a » répète l'élément n° 1 ; chaque élément doit être unique.");
  EXPECT_EQ(twice.en, "Codes, item 3: \"a\" repeats item 1; each item must be unique.");
}

TEST(ViolationWordsTest, PatternsThatAreFormatsAreSaidInWords) {
  Json v = With("conventions", Json::array({{{"date", "1er mai"}}}));
  Message date = WordsOf(v, "pattern");
  EXPECT_EQ(date.fr,
            "Conventions, n° 1 › Date : « 1er mai » n'a pas la forme attendue, une date au format AAAA-MM-JJ (par "
            "exemple 2026-05-01).");
  EXPECT_THAT(date.en, HasSubstr("a date as YYYY-MM-DD"));
  Json s = Valid();
  s["porteur"]["siret"] = "123 456";
  Message siret = WordsOf(s, "pattern");
  EXPECT_EQ(siret.fr, "Porteur › SIRET : « 123 456 » n'a pas la forme attendue, 14 chiffres, sans espace.");
  EXPECT_EQ(siret.en, "Lead › SIRET: \"123 456\" does not have the expected form, 14 digits, without spaces.");
}

TEST(ViolationWordsTest, ConstAndUnknownField) {
  Message c = WordsOf(With("version", 3), "const");
  EXPECT_EQ(c.fr, "Version : seule la valeur 2 est acceptée, pas 3.");
  EXPECT_EQ(c.en, "Version: only 2 is accepted, not 3.");
  Message extra = WordsOf(With("commentaire", "x"), "additionalProperties");
  EXPECT_EQ(extra.fr, "Le champ « commentaire » n'est pas prévu.");
  EXPECT_EQ(extra.en, "The field \"commentaire\" is not expected.");
}

TEST(ViolationWordsTest, OtherKeywordsGetAGenericSentenceWithoutEnglishInFrench) {
  const Json schema = Json::parse(R"({"properties": {"x": {"not": {"type": "string"}, "labels": {"fr": "Ixe"}}}})");
  const Json value = {{"x", "texte"}};
  auto violations = ValidateJson(schema, value);
  ASSERT_EQ(violations.size(), 1u);
  Message m = ViolationWords(schema, value, violations[0]);
  EXPECT_EQ(m.fr, "Ixe : cette valeur ne convient pas (règle « not » du schéma).");
  EXPECT_THAT(m.en, HasSubstr("Ixe: value"));  // no English label: the French one
}

TEST(ViolationWordsTest, SummaryQuotesTheFirstAndCountsTheRest) {
  Json v = {{"montant", -1}, {"taux", 5}, {"version", 1}, {"codes", Json::array()}, {"x", 1}};
  auto violations = ValidateJson(Schema(), v);
  ASSERT_GT(violations.size(), kWordedViolations + 1);
  WordedViolations w = WordViolations(Schema(), v, violations);
  ASSERT_EQ(w.details.size(), violations.size());
  EXPECT_EQ(w.details[0]["path"], violations[0].path);
  EXPECT_EQ(w.details[0]["keyword"], violations[0].keyword);
  EXPECT_EQ(w.details[0]["message"], violations[0].message);
  EXPECT_EQ(w.details[0]["messages"]["fr"], ViolationWords(Schema(), v, violations[0]).fr);
  const size_t more = violations.size() - kWordedViolations;
  EXPECT_THAT(w.summary.fr, HasSubstr("Et " + std::to_string(more) + " autres erreurs."));
  EXPECT_THAT(w.summary.en, HasSubstr("And " + std::to_string(more) + " more errors."));
  EXPECT_THAT(w.summary.fr, Not(HasSubstr("is less than")));
}

TEST(ViolationWordsTest, InvalidDataRefusalCarriesTheWords) {
  WorkflowDefinition def;
  def.name = "mots";
  def.initial_phases = {"debut"};
  def.phases.push_back(Phase{});
  def.phases.back().id = "debut";
  def.state_schema = Schema();
  ProjectState empty;
  CreateCommand create;
  create.fields = {{"montant", -5000}, {"porteur", Json::object()}};
  create.actor_roles = {"coordinator"};
  auto decided = DecideCreate(def, empty, create);
  ASSERT_TRUE(std::holds_alternative<Refusal>(decided));
  const Refusal& r = std::get<Refusal>(decided);
  EXPECT_EQ(r.code, RefusalCode::kInvalidData);
  EXPECT_EQ(r.message, "initial state fields are invalid at $.montant: value -5000 is less than the minimum 0");
  EXPECT_EQ(r.messages.fr, "Montant accordé (€) : -5000 est inférieur au minimum, 0.");
  EXPECT_EQ(r.messages.en, "Amount granted (€): -5000 is below the minimum, 0.");
  const Json& v = r.details["violations"][0];
  EXPECT_EQ(v["keyword"], "minimum");
  EXPECT_EQ(v["messages"]["fr"], r.messages.fr);
  EXPECT_EQ(r.ToJson()["messages"]["en"], r.messages.en);
}

// A command whose effects break the state schema: invalid_state, worded
// with the state schema's labels, the item of a list by its position.
TEST(ViolationWordsTest, InvalidStateRefusalNamesTheStateFieldsByTheirLabels) {
  auto def = LoadWorkflow(R"yaml(workflow: etat
version: 1
labels: {fr: "État", en: "State"}
state:
  type: object
  properties:
    total: {type: integer, maximum: 100, labels: {fr: "Total engagé (€)", en: "Committed total (€)"}}
    notes:
      type: array
      labels: {fr: "Notes", en: "Notes"}
      items: {type: string, maxLength: 5}
phases:
  - id: debut
    labels: {fr: "Début", en: "Start"}
initial: debut
events:
  - type: engager
    labels: {fr: "Engager", en: "Commit"}
    roles: [coordinator]
    data:
      type: object
      properties:
        montant: {type: integer}
        note: {type: string}
    set:
      total: event.montant
  - type: noter
    labels: {fr: "Noter", en: "Note"}
    roles: [coordinator]
    data:
      type: object
      properties:
        note: {type: string}
    append:
      notes: event.note
)yaml",
                          "etat.yaml");
  ASSERT_TRUE(def.ok()) << def.status().ToString();
  testing::ProjectDriver p(*def);
  ASSERT_TRUE(std::holds_alternative<Decision>(p.Create()));
  auto over = p.Fire("engager", {{"montant", 150}});
  ASSERT_TRUE(std::holds_alternative<Refusal>(over));
  const Refusal& r = std::get<Refusal>(over);
  EXPECT_EQ(r.code, RefusalCode::kInvalidState);
  EXPECT_EQ(r.messages.fr, "Total engagé (€) : 150 dépasse le maximum, 100.");
  EXPECT_EQ(r.messages.en, "Committed total (€): 150 is above the maximum, 100.");
  EXPECT_EQ(r.details["violations"][0]["path"], "$.total");
  ASSERT_TRUE(std::holds_alternative<Decision>(p.Fire("noter", {{"note", "ok"}})));
  auto longer = p.Fire("noter", {{"note", "beaucoup trop long"}});
  ASSERT_TRUE(std::holds_alternative<Refusal>(longer));
  const Refusal& item = std::get<Refusal>(longer);
  EXPECT_EQ(item.details["violations"][0]["path"], "$.notes[1]");
  EXPECT_EQ(item.messages.fr, "Notes, n° 2 : au plus 5 caractères attendus, 18 saisis.");
  EXPECT_EQ(item.messages.en, "Notes, item 2: at most 5 characters expected, 18 given.");
}

}  // namespace
}  // namespace relais::workflow

#include "engine/workflow/violation_words.h"

#include <cctype>
#include <cmath>
#include <regex>
#include <string>

namespace relais::workflow {
namespace {

constexpr size_t kMaxShownChars = 60;
constexpr size_t kMaxShownChoices = 12;
constexpr size_t kMaxRefDepth = 16;

// One step of a JSONPath as json_schema.cc writes them: ".key", "['key']", "[3]".
struct Segment {
  bool index = false;
  std::string key;
  size_t at = 0;
};

std::vector<Segment> ParsePath(const std::string& path) {
  std::vector<Segment> out;
  size_t i = path.rfind('$', 0) == 0 ? 1 : 0;
  while (i < path.size()) {
    if (path[i] == '.') {
      size_t end = i + 1;
      while (end < path.size() && path[end] != '.' && path[end] != '[') ++end;
      out.push_back({false, path.substr(i + 1, end - i - 1), 0});
      i = end;
    } else if (path.compare(i, 2, "['") == 0) {
      std::string key;
      size_t k = i + 2;
      for (; k < path.size() && path[k] != '\''; ++k) {
        if (path[k] == '\\' && k + 1 < path.size()) ++k;
        key += path[k];
      }
      out.push_back({false, key, 0});
      i = k + 2;  // past "']"
    } else if (path[i] == '[') {
      size_t end = path.find(']', i);
      if (end == std::string::npos) break;
      size_t n = 0;
      for (size_t k = i + 1; k < end; ++k)
        if (std::isdigit(static_cast<unsigned char>(path[k]))) n = n * 10 + static_cast<size_t>(path[k] - '0');
      out.push_back({true, "", n});
      i = end + 1;
    } else {
      break;  // not a path we wrote: the rest stays unnamed
    }
  }
  return out;
}

// A local "$ref" ("#/definitions/x") resolved against the root schema.
const Json* Resolved(const Json& root, const Json* node) {
  for (size_t depth = 0; node && node->is_object() && depth < kMaxRefDepth; ++depth) {
    auto ref = node->find("$ref");
    if (ref == node->end() || !ref->is_string()) return node;
    const std::string target = ref->get<std::string>();
    if (target.rfind("#", 0) != 0) return node;
    try {
      const Json::json_pointer pointer(target.substr(1));
      if (!root.contains(pointer)) return node;
      node = &root.at(pointer);
    } catch (const Json::exception&) {
      return node;
    }
  }
  return node;
}

const Json* Member(const Json* node, const char* name) {
  if (node == nullptr || !node->is_object()) return nullptr;
  auto it = node->find(name);
  return it == node->end() ? nullptr : &*it;
}

// The sub-schema of `node` for one step of a path, or nullptr.
const Json* Step(const Json& root, const Json* node, const Segment& s) {
  node = Resolved(root, node);
  if (s.index) {
    const Json* items = Member(node, "items");
    if (items && items->is_array()) return s.at < items->size() ? &(*items)[s.at] : Member(node, "additionalItems");
    return items;
  }
  if (const Json* props = Member(node, "properties"); props && props->is_object() && props->contains(s.key))
    return &props->at(s.key);
  const Json* extra = Member(node, "additionalProperties");
  return extra && extra->is_object() ? extra : nullptr;
}

std::string Readable(std::string id) {
  for (char& c : id)
    if (c == '_') c = ' ';
  return id;
}

// The schema's label in `lang` (French when English is missing), or "".
std::string LabelOf(const Json* node, const std::string& lang) {
  const Json* labels = Member(node, "labels");
  if (labels == nullptr) return "";
  if (labels->is_string()) return labels->get<std::string>();
  for (const std::string& l : {lang, std::string("fr")})
    if (const Json* text = Member(labels, l.c_str()); text && text->is_string() && !text->get<std::string>().empty())
      return text->get<std::string>();
  return "";
}

std::string Capitalised(std::string s) {
  if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
  return s;
}

std::string Clip(std::string s) {
  if (s.size() <= kMaxShownChars) return s;
  size_t cut = kMaxShownChars;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return s.substr(0, cut) + "…";
}

std::string Number(const Json& v, bool fr) {
  std::string text;
  if (v.is_number_float()) {
    const double d = v.get<double>();
    text = std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 1e15 ? std::to_string(static_cast<int64_t>(d))
                                                                         : DumpJson(v);
  } else {
    text = DumpJson(v);
  }
  if (fr)
    for (char& c : text)
      if (c == '.') c = ',';
  return text;
}

bool IsFrench(const std::string& lang) { return lang == "fr"; }

// A value as a sentence shows it: « texte » / "text", numbers in the
// language's way, yes/no, an enum choice by its label.
std::string Shown(const Json& v, const Json* node, const std::string& lang) {
  const bool fr = IsFrench(lang);
  if (const Json* choices = Member(node, "enum_labels"); choices && v.is_string())
    if (const Json* words = Member(choices, v.get<std::string>().c_str())) {
      const Json wrapped = {{"labels", *words}};
      const std::string l = LabelOf(&wrapped, lang);
      if (!l.empty()) return fr ? "« " + Clip(l) + " »" : "\"" + Clip(l) + "\"";
    }
  if (v.is_string()) return fr ? "« " + Clip(v.get<std::string>()) + " »" : "\"" + Clip(v.get<std::string>()) + "\"";
  if (v.is_number()) return Number(v, fr);
  if (v.is_boolean()) return v.get<bool>() ? (fr ? "oui" : "yes") : (fr ? "non" : "no");
  if (v.is_null()) return fr ? "une valeur vide" : "an empty value";
  return Clip(DumpJson(v));
}

std::string TypeWords(const std::string& type, const std::string& lang) {
  const bool fr = IsFrench(lang);
  if (type == "string") return fr ? "du texte" : "text";
  if (type == "integer") return fr ? "un nombre entier" : "a whole number";
  if (type == "number") return fr ? "un nombre" : "a number";
  if (type == "boolean") return fr ? "oui ou non" : "yes or no";
  if (type == "array") return fr ? "une liste" : "a list";
  if (type == "object") return fr ? "un ensemble de champs" : "a set of fields";
  if (type == "null") return fr ? "une valeur vide" : "an empty value";
  return type;
}

std::string FoundType(const Json& v) {
  if (v.is_number_integer()) return "integer";
  if (v.is_number_float()) {
    const double d = v.get<double>();
    return std::isfinite(d) && std::floor(d) == d ? "integer" : "number";
  }
  if (v.is_boolean()) return "boolean";
  if (v.is_array()) return "array";
  if (v.is_object()) return "object";
  if (v.is_null()) return "null";
  return "string";
}

// "1 caractère" / "3 caractères"; French counts 0 in the singular too
// ("0 saisi"), English does not ("0 characters").
std::string Count(const Json* n, const std::string& one, const std::string& many, bool french = false) {
  const uint64_t k = n && n->is_number() ? n->get<uint64_t>() : 0;
  return std::to_string(k) + " " + (k == 1 || (k == 0 && french) ? one : many);
}

size_t Utf8Length(const Json& v) {
  size_t n = 0;
  if (v.is_string())
    for (unsigned char ch : v.get_ref<const std::string&>())
      if ((ch & 0xC0) != 0x80) ++n;
  return n;
}

// What a `format` or a well-known `pattern` asks for, in words; "" when unknown.
std::string FormWords(const Json* node, const std::string& lang) {
  const bool fr = IsFrench(lang);
  const Json* format = Member(node, "format");
  const Json* pattern = Member(node, "pattern");
  const std::string f = format && format->is_string() ? format->get<std::string>() : "";
  const std::string p = pattern && pattern->is_string() ? pattern->get<std::string>() : "";
  if (f == "date" || p.find("\\d{4}-\\d{2}-\\d{2}") != std::string::npos ||
      p.find("[0-9]{4}-[0-9]{2}-[0-9]{2}") != std::string::npos)
    return fr ? "une date au format AAAA-MM-JJ (par exemple 2026-05-01)" : "a date as YYYY-MM-DD (e.g. 2026-05-01)";
  if (f == "email" || p.find('@') != std::string::npos)
    return fr ? "une adresse e-mail (nom@exemple.fr)" : "an e-mail address (name@example.org)";
  std::smatch digits;
  if (std::regex_match(p, digits, std::regex(R"(\^(?:\\d|\[0-9\])\{(\d+)\}\$)")))
    return fr ? digits[1].str() + " chiffres, sans espace" : digits[1].str() + " digits, without spaces";
  if (f == "uri" || p.find("https?") != std::string::npos)
    return fr ? "une adresse web (https://…)" : "a web address (https://…)";
  return "";
}

struct Words {
  std::string fr, en;
};

// What a sentence knows of one violation.
struct Facts {
  const SchemaViolation& violation;
  const std::vector<Segment>& segments;
  const Json* node;    // the schema at the path; nullptr when none describes it
  const Json& value;   // the value found there (null when it is missing)
  const Json* list;    // the value holding it (a list, for an item)
  Words label;         // the field's name in each language
  Words parent_label;  // the name of the object holding it
  const Json* Limit(const char* name) const { return Member(node, name); }
  Words Show(const Json& x) const { return {Shown(x, node, "fr"), Shown(x, node, "en")}; }
  Words Found() const { return Show(value); }
};

Words NumberWords(const Json* n) { return n ? Words{Number(*n, true), Number(*n, false)} : Words{"?", "?"}; }

// "Montant : il faut un nombre entier, pas du texte (« x »)."
Words TypeSentence(const Facts& f) {
  const std::string &L = f.label.fr, &E = f.label.en;
  std::string fr, en;
  for (const auto& t : SchemaTypes(f.node ? *f.node : Json())) {
    fr += (fr.empty() ? "" : " ou ") + TypeWords(t, "fr");
    en += (en.empty() ? "" : " or ") + TypeWords(t, "en");
  }
  if (fr.empty()) return {L + " : ce type de valeur n'est pas accepté.", E + ": this kind of value is not accepted."};
  const std::string t = FoundType(f.value);
  const Words F = f.Found();
  return {L + " : il faut " + fr + ", pas " + TypeWords(t, "fr") + (t == "string" ? " (" + F.fr + ")" : "") + ".",
          E + ": " + en + " is expected, not " + TypeWords(t, "en") + (t == "string" ? " (" + F.en + ")" : "") + "."};
}

// minimum, maximum and their exclusive forms.
Words BoundSentence(const Facts& f) {
  const std::string &L = f.label.fr, &E = f.label.en, &k = f.violation.keyword;
  const Json* n = f.Limit(k.c_str());
  if (n && !n->is_number()) n = f.Limit(k == "exclusiveMinimum" ? "minimum" : "maximum");  // draft 4 booleans
  const Words N = NumberWords(n), F = f.Found();
  if (k == "minimum")
    return {L + " : " + F.fr + " est inférieur au minimum, " + N.fr + ".",
            E + ": " + F.en + " is below the minimum, " + N.en + "."};
  if (k == "maximum")
    return {L + " : " + F.fr + " dépasse le maximum, " + N.fr + ".",
            E + ": " + F.en + " is above the maximum, " + N.en + "."};
  if (k == "exclusiveMinimum")
    return {L + " : " + F.fr + " doit être strictement supérieur à " + N.fr + ".",
            E + ": " + F.en + " must be greater than " + N.en + "."};
  return {L + " : " + F.fr + " doit être strictement inférieur à " + N.fr + ".",
          E + ": " + F.en + " must be less than " + N.en + "."};
}

// What CountSentence counts, in words.
struct Units {
  const char* fr_expected_one;
  const char* fr_expected_many;
  const char* fr_given_one;
  const char* fr_given_many;
  const char* en_one;
  const char* en_many;
};
constexpr Units kCharacters{"caractère attendu", "caractères attendus", "saisi", "saisis", "character", "characters"};
constexpr Units kFields{"champ attendu", "champs attendus", "donné", "donnés", "field", "fields"};
constexpr Units kItems{"élément attendu", "éléments attendus", "donné", "donnés", "item", "items"};

// min/max of a text's characters, a list's items, an object's fields.
Words CountSentence(const Facts& f) {
  const std::string &L = f.label.fr, &E = f.label.en, &k = f.violation.keyword;
  const bool min = k.rfind("min", 0) == 0;
  Json found = 0;
  const Units* units = &kItems;
  if (k == "minLength" || k == "maxLength") {
    found = Utf8Length(f.value);
    units = &kCharacters;
  } else if (k == "minProperties" || k == "maxProperties") {
    found = f.value.is_object() ? f.value.size() : 0;
    units = &kFields;
  } else {
    found = f.value.is_array() ? f.value.size() : 0;
  }
  const Json* items = f.Limit("items");
  const Json fixed = items && items->is_array() ? items->size() : 0;  // additionalItems: the fixed ones
  const Json* n = k == "additionalItems" ? &fixed : f.Limit(k.c_str());
  const Json none = 0;
  if (n == nullptr) n = &none;
  const Units& u = *units;
  return {L + " : " + (min ? "au moins " : "au plus ") + Count(n, u.fr_expected_one, u.fr_expected_many, true) + ", " +
              Count(&found, u.fr_given_one, u.fr_given_many, true) + ".",
          E + ": " + (min ? "at least " : "at most ") + Count(n, u.en_one, u.en_many) + " expected, " +
              std::to_string(found.get<uint64_t>()) + " given."};
}

// An item equal to an earlier one, named by both positions.
Words UniqueSentence(const Facts& f) {
  const std::string &L = f.label.fr, &E = f.label.en;
  if (!f.segments.empty() && f.segments.back().index && f.list && f.list->is_array()) {
    const size_t j = f.segments.back().at;
    for (size_t i = 0; i < j && i < f.list->size(); ++i)
      if ((*f.list)[i] == f.value) {
        const Words F = f.Found();
        return {
            L + " : " + F.fr + " répète l'élément n° " + std::to_string(i + 1) + " ; chaque élément doit être unique.",
            E + ": " + F.en + " repeats item " + std::to_string(i + 1) + "; each item must be unique."};
      }
  }
  return {L + " : chaque élément doit être unique.", E + ": each item must be unique."};
}

// A pattern: a known form in words, else the pattern itself.
Words PatternSentence(const Facts& f) {
  const std::string &L = f.label.fr, &E = f.label.en;
  const Words F = f.Found();
  const std::string fr = FormWords(f.node, "fr"), en = FormWords(f.node, "en");
  if (!fr.empty())
    return {L + " : " + F.fr + " n'a pas la forme attendue, " + fr + ".",
            E + ": " + F.en + " does not have the expected form, " + en + "."};
  const Json* p = f.Limit("pattern");
  const std::string pattern = p && p->is_string() ? Clip(p->get<std::string>()) : "";
  return {L + " : " + F.fr + " n'a pas la forme attendue (motif « " + pattern + " »).",
          E + ": " + F.en + " does not have the expected form (pattern \"" + pattern + "\")."};
}

// enum (the choices by their enum_labels) and const.
Words ChoiceSentence(const Facts& f) {
  const std::string &L = f.label.fr, &E = f.label.en;
  const Words F = f.Found();
  if (f.violation.keyword == "const") {
    const Json* c = f.Limit("const");
    const Words C = c ? f.Show(*c) : Words{"?", "?"};
    return {L + " : seule la valeur " + C.fr + " est acceptée, pas " + F.fr + ".",
            E + ": only " + C.en + " is accepted, not " + F.en + "."};
  }
  std::string fr, en;
  const Json* options = f.Limit("enum");
  size_t n = 0;
  if (options && options->is_array())
    for (const auto& o : *options) {
      if (n++ == kMaxShownChoices) {
        fr += ", …";
        en += ", …";
        break;
      }
      const Words O = f.Show(o);
      fr += (fr.empty() ? "" : ", ") + O.fr;
      en += (en.empty() ? "" : ", ") + O.en;
    }
  return {L + " : " + F.fr + " n'est pas un choix possible ; les choix sont " + fr + ".",
          E + ": " + F.en + " is not one of the choices: " + en + "."};
}

// A field the schema does not declare, named by its key.
Words UnknownFieldSentence(const Facts& f) {
  const std::string key = Clip(f.segments.empty() ? "" : f.segments.back().key);
  if (f.segments.size() <= 1)
    return {"Le champ « " + key + " » n'est pas prévu.", "The field \"" + key + "\" is not expected."};
  return {f.parent_label.fr + " : le champ « " + key + " » n'est pas prévu.",
          f.parent_label.en + ": the field \"" + key + "\" is not expected."};
}

// The sentence for the violation's keyword.
Words Sentence(const Facts& f) {
  const std::string &L = f.label.fr, &E = f.label.en, &k = f.violation.keyword;
  if (k == "required")
    return {L + " : ce champ est obligatoire et n'est pas renseigné.", E + ": this field is required and missing."};
  if (k == "type") return TypeSentence(f);
  if (k == "minimum" || k == "exclusiveMinimum" || k == "maximum" || k == "exclusiveMaximum") return BoundSentence(f);
  if (k == "minLength" || k == "maxLength" || k == "minItems" || k == "maxItems" || k == "additionalItems" ||
      k == "minProperties" || k == "maxProperties")
    return CountSentence(f);
  if (k == "uniqueItems") return UniqueSentence(f);
  if (k == "pattern") return PatternSentence(f);
  if (k == "enum" || k == "const") return ChoiceSentence(f);
  if (k == "additionalProperties") return UnknownFieldSentence(f);
  if (k == "multipleOf") {
    const Words D = NumberWords(f.Limit("multipleOf")), F = f.Found();
    return {L + " : " + F.fr + " n'est pas un multiple de " + D.fr + ".",
            E + ": " + F.en + " is not a multiple of " + D.en + "."};
  }
  if (k == "depth")
    return {L + " : la valeur est imbriquée sur trop de niveaux.", E + ": the value is nested too deeply."};
  return {L + " : cette valeur ne convient pas (règle « " + k + " » du schéma).", E + ": " + f.violation.message + "."};
}

}  // namespace

Message ViolationWords(const Json& schema, const Json& value, const SchemaViolation& violation) {
  const std::vector<Segment> segments = ParsePath(violation.path);
  Words label{"Les informations", "The data"}, parent_label = label;
  const Json* node = Resolved(schema, &schema);
  const Json* found = &value;
  const Json* parent_value = nullptr;
  std::string fr, en;
  for (const Segment& s : segments) {
    parent_label = {fr.empty() ? label.fr : fr, en.empty() ? label.en : en};
    node = Resolved(schema, node ? Step(schema, node, s) : nullptr);
    parent_value = found;
    if (found && s.index)
      found = found->is_array() && s.at < found->size() ? &(*found)[s.at] : nullptr;
    else if (found)
      found = found->is_object() && found->contains(s.key) ? &found->at(s.key) : nullptr;
    if (s.index) {
      const std::string n = std::to_string(s.at + 1);
      fr += (fr.empty() ? "N° " : ", n° ") + n;
      en += (en.empty() ? "Item " : ", item ") + n;
      continue;
    }
    std::string lfr = LabelOf(node, "fr"), len = LabelOf(node, "en");
    if (lfr.empty()) lfr = len = Readable(s.key);
    fr += (fr.empty() ? "" : " › ") + lfr;
    en += (en.empty() ? "" : " › ") + len;
  }
  if (!fr.empty()) label = {Capitalised(fr), Capitalised(en)};
  static const Json kMissing;
  const Words w = Sentence({violation, segments, node, found ? *found : kMissing, parent_value, label, parent_label});
  Message m;
  m.fr = w.fr;
  m.en = w.en;
  m.per_language = true;
  return m;
}

WordedViolations WordViolations(const Json& schema, const Json& value, const std::vector<SchemaViolation>& violations) {
  WordedViolations out;
  for (size_t i = 0; i < violations.size(); ++i) {
    const SchemaViolation& v = violations[i];
    const Message words = ViolationWords(schema, value, v);
    out.details.push_back(
        {{"path", v.path}, {"keyword", v.keyword}, {"message", v.message}, {"messages", words.ToJson()}});
    if (i < kWordedViolations) {
      out.summary.fr += (out.summary.fr.empty() ? "" : " ") + words.fr;
      out.summary.en += (out.summary.en.empty() ? "" : " ") + words.en;
    }
  }
  if (violations.size() > kWordedViolations) {
    const size_t more = violations.size() - kWordedViolations;
    out.summary.fr += more == 1 ? " Et 1 autre erreur." : " Et " + std::to_string(more) + " autres erreurs.";
    out.summary.en += more == 1 ? " And 1 more error." : " And " + std::to_string(more) + " more errors.";
  }
  out.summary.per_language = !violations.empty();
  return out;
}

}  // namespace relais::workflow

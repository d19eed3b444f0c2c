// The Authorizer as a pure function: a table of (principal, resource, verb)
// and the answer, beside the HTTP matrix of authorization_matrix_test.cc.
#include "engine/access/authorizer.h"

#include <gtest/gtest.h>

namespace relais::access {
namespace {

const Principal kAdmin{"person:alice", {"admin"}, "", {}};
const Principal kCoordinator{"person:claire", {"coordinator"}, "", {}};
const Principal kSud{"person:paul", {"coordinator"}, "", {"sud"}};
const Principal kPartner{"partner:ccas", {"partner"}, "ccas", {}};
const Principal kElu{"person:marc", {"elu"}, "", {}};
const Principal kObserver{"person:olga", {"observer"}, "", {}};

struct Row {
  const char* name;
  const Principal& who;
  Resource resource;
  Verb verb;
  Access expected;
};

runtime::ProjectInfo Project(std::string programme, std::vector<std::string> partners,
                             std::vector<runtime::ProjectMember> members = {}) {
  runtime::ProjectInfo info;
  info.id = "p";
  info.programme = std::move(programme);
  info.partners = std::move(partners);
  info.members = std::move(members);
  return info;
}

TEST(AuthorizerTest, AnswersTheTable) {
  const runtime::ProjectInfo sud = Project("sud", {"ccas"}, {{"person:marc", "elu_referent"}});
  const runtime::ProjectInfo nord = Project("nord", {"afpa"});
  const std::vector<Row> rows = {
      {"admin reads any project", kAdmin, ProjectResource{nord}, Verb::kRead, Access::kMayAct},
      {"limited coordinator: own programme", kSud, ProjectResource{sud}, Verb::kManage, Access::kMayAct},
      {"limited coordinator: other programme", kSud, ProjectResource{nord}, Verb::kRead, Access::kNeither},
      {"partner named by the project", kPartner, ProjectResource{sud}, Verb::kRecord, Access::kMayAct},
      {"partner not named", kPartner, ProjectResource{nord}, Verb::kRead, Access::kNeither},
      {"member records", kElu, ProjectResource{sud}, Verb::kRecord, Access::kMayAct},
      {"member does not manage", kElu, ProjectResource{sud}, Verb::kManage, Access::kVisible},
      {"observer reads, never records", kObserver, ProjectResource{nord}, Verb::kRecord, Access::kVisible},
      {"limited coordinator creates in its programme", kSud, NewProjectResource{"sud"}, Verb::kCreate, Access::kMayAct},
      {"limited coordinator creates elsewhere", kSud, NewProjectResource{"nord"}, Verb::kCreate, Access::kVisible},
      {"assigned person reads the programme", kElu, ProgrammeResource{"nord", {"person:marc"}}, Verb::kRead,
       Access::kMayAct},
      {"assigned person does not manage it", kElu, ProgrammeResource{"nord", {"person:marc"}}, Verb::kManage,
       Access::kVisible},
      {"stranger to a programme", kElu, ProgrammeResource{"nord", {}}, Verb::kRead, Access::kNeither},
      {"limited coordinator: other programme", kSud, ProgrammeResource{"nord", {}}, Verb::kRead, Access::kNeither},
      {"endpoints of a partner acting in its programme only", kSud, EndpointResource{"ccas", {"sud"}}, Verb::kManage,
       Access::kMayAct},
      {"endpoints of a partner acting in two programmes", kSud, EndpointResource{"ccas", {"sud", "nord"}},
       Verb::kManage, Access::kVisible},
      {"endpoints of a partner acting elsewhere", kSud, EndpointResource{"afpa", {"nord"}}, Verb::kManage,
       Access::kNeither},
      {"all-programme coordinator", kCoordinator, EndpointResource{"afpa", {"nord"}}, Verb::kManage, Access::kMayAct},
      {"the partner's own endpoints", kPartner, EndpointResource{"ccas", {"sud", "nord"}}, Verb::kManage,
       Access::kMayAct},
      {"another partner's endpoints", kPartner, EndpointResource{"afpa", {"nord"}}, Verb::kManage, Access::kNeither},
      {"an élu and endpoints", kElu, EndpointResource{"ccas", {"sud"}}, Verb::kRead, Access::kNeither},
      {"webhooks as a whole, for an élu", kElu, EndpointResource{}, Verb::kRead, Access::kVisible},
      {"own feed", kElu, PersonFeedResource{"person:marc", {"nord"}}, Verb::kManage, Access::kMayAct},
      {"feed of a person in its programme", kSud, PersonFeedResource{"person:lea", {"sud"}}, Verb::kManage,
       Access::kMayAct},
      {"feed of a person also elsewhere", kSud, PersonFeedResource{"person:lea", {"sud", "nord"}}, Verb::kManage,
       Access::kVisible},
      {"feed of a person elsewhere", kSud, PersonFeedResource{"person:zoe", {"nord"}}, Verb::kManage, Access::kNeither},
      {"feed of another person, for a partner", kPartner, PersonFeedResource{"person:zoe", {"nord"}}, Verb::kManage,
       Access::kNeither},
      {"the directory, for anyone", kElu, PartnerResource{"", {}}, Verb::kRead, Access::kMayAct},
      {"registering a partner, for an élu", kElu, PartnerResource{"", {}}, Verb::kCreate, Access::kVisible},
      {"changing a partner acting elsewhere", kSud, PartnerResource{"afpa", {"nord"}}, Verb::kManage, Access::kVisible},
      {"the people directory, for a partner", kPartner, PersonResource{"", {}}, Verb::kRead, Access::kMayAct},
      {"registering a person, for an élu", kElu, PersonResource{"", {}}, Verb::kCreate, Access::kVisible},
      {"registering a person, for a limited coordinator", kSud, PersonResource{"", {}}, Verb::kCreate, Access::kMayAct},
      {"changing one's own entry", kElu, PersonResource{"person:marc", {"nord"}}, Verb::kManage, Access::kMayAct},
      {"changing a person of its programme", kSud, PersonResource{"person:lea", {"sud"}}, Verb::kManage,
       Access::kMayAct},
      {"changing a person also elsewhere", kSud, PersonResource{"person:lea", {"sud", "nord"}}, Verb::kManage,
       Access::kVisible},
      {"changing a person, for an observer", kObserver, PersonResource{"person:lea", {}}, Verb::kManage,
       Access::kVisible},
      {"deploying a workflow, for an observer", kObserver, WorkflowResource{}, Verb::kManage, Access::kVisible},
      {"deploying a workflow, for a coordinator", kSud, WorkflowResource{}, Verb::kManage, Access::kMayAct},
  };
  Authorizer authorizer;
  for (const Row& row : rows) {
    const Decision d = authorizer.Decide(row.who, row.resource, row.verb);
    EXPECT_EQ(d.access, row.expected) << row.name;
    if (d.access == Access::kVisible) {
      EXPECT_FALSE(d.reason.empty()) << row.name;
    }
  }
}

}  // namespace
}  // namespace relais::access

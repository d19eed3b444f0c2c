#include "engine/notify/webhook_service.h"

#include <algorithm>
#include <map>

#include "engine/notify/webhook_keys.h"
#include "engine/util/time_format.h"
#include "plugins/webhook/target.h"
#include "plugins/webhook/webhook_channel.h"

namespace relais::notify {

namespace {

// The queue entries among writes[first..]: the dispatcher looks for them
// once their append commits.
std::vector<std::string> QueuedSince(const KvWrites& writes, size_t first) {
  std::vector<std::string> suffixes;
  for (size_t i = first; i < writes.ops.size(); ++i) {
    const std::string& key = writes.ops[i].key;
    if (key.compare(0, kQueuePrefix.size(), kQueuePrefix) == 0) suffixes.push_back(key.substr(kQueuePrefix.size()));
  }
  return suffixes;
}

}  // namespace

WebhookService::WebhookService(EventStore& store, const Clock& clock, WebhookOptions options)
    : store_(store),
      people_(store),
      clock_(clock),
      options_(std::move(options)),
      registry_(store, clock),
      outbox_(registry_, clock, options_.public_base_url) {}

WebhookService::~WebhookService() { Stop(); }

StatusOr<std::unique_ptr<WebhookService>> WebhookService::Create(EventStore& store, const Clock& clock,
                                                                 WebhookOptions options,
                                                                 Dispatcher::ChannelFactory factory) {
  RELAIS_ASSIGN_OR_RETURN(plugins::webhook::AddressGuard guard,
                          plugins::webhook::AddressGuard::Create(options.allowed_ranges));
  std::unique_ptr<WebhookService> service(new WebhookService(store, clock, std::move(options)));
  RELAIS_RETURN_IF_ERROR(service->registry_.Load().WithContext("loading webhook endpoints"));
  plugins::webhook::WebhookChannelOptions channel;
  channel.connect_timeout = service->options_.connect_timeout;
  channel.total_timeout = service->options_.total_timeout;
  channel.ca_bundle = service->options_.ca_bundle;
  channel.guard = guard;
  channel.max_idle_per_endpoint = service->options_.dispatcher.max_concurrency_per_endpoint;
  if (!factory) {
    factory = [channel](boost::asio::io_context& io) -> StatusOr<std::unique_ptr<plugins::NotificationChannel>> {
      RELAIS_ASSIGN_OR_RETURN(auto c, plugins::webhook::WebhookChannel::Create(io, channel));
      return std::unique_ptr<plugins::NotificationChannel>(std::move(c));
    };
  }
  service->targets_ =
      std::make_unique<WebhookTargets>(store, service->registry_, *service->options_.dispatcher.info_log);
  service->dispatcher_ = std::make_unique<Dispatcher>(store, WebhookQueueLayout(), *service->targets_, clock,
                                                      service->options_.dispatcher, std::move(factory));
  service->admin_ = std::make_unique<QueueAdmin>(store, WebhookQueueLayout(), *service->dispatcher_);
  // An endpoint disabled: its partner's other endpoints are told (the live
  // stream tells coordinators and admins).
  service->targets_->SetNoticeHook([s = service.get()](const std::string& disabled, const std::string& partner,
                                                       uint64_t first_version, const std::vector<NewEvent>& events,
                                                       KvWrites& writes) {
    const size_t first = writes.ops.size();
    s->outbox_.AddForStream(std::string(kWebhookSystemStream), "partner", Json{{"id", partner}}, {partner},
                            first_version, events, writes, {disabled});
    if (auto suffixes = QueuedSince(writes, first); !suffixes.empty()) s->dispatcher_->Expect(std::move(suffixes));
  });
  return service;
}

void WebhookService::Attach(runtime::ProjectService& projects) {
  projects.AddAppendHook([this](const runtime::ProjectAppend& append, KvWrites& writes) {
    const size_t first = writes.ops.size();
    outbox_.OnAppend(append.before, append.events, append.notify, append.partners_joined, append.inherited_partners,
                     writes);
    if (auto suffixes = QueuedSince(writes, first); !suffixes.empty()) dispatcher_->Expect(std::move(suffixes));
    return Status::Ok();
  });
}

void WebhookService::Attach(programme::ProgrammeService& programmes) {
  programmes.AddAppendHook(
      [this](const programme::ProgrammeAppend& append, KvWrites& writes) { return OnProgrammeAppend(append, writes); });
}

Status WebhookService::OnProgrammeAppend(const programme::ProgrammeAppend& append, KvWrites& writes) {
  const std::string& programme_id = append.programme_id;
  const std::string prefix = ProgrammePartnersPrefix(programme_id);
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(prefix, "", options_.max_programme_partners));
  if (entries.empty()) return Status::Ok();
  std::vector<std::string> partners;
  for (const KvEntry& e : entries) partners.push_back(e.key.substr(prefix.size()));
  const Json subject = {{"id", programme_id},
                        {"title", append.title},
                        {"link", options_.public_base_url + "/v1/programmes/" + programme_id}};
  const size_t first = writes.ops.size();
  // Names as of the event: the body is fixed for every attempt (and signed).
  std::map<std::string, std::optional<std::string>> names;
  const PersonNamer namer = [&](const std::string& id) -> std::optional<std::string> {
    auto it = names.find(id);
    if (it == names.end()) {
      auto person = people_.Get(id);
      it = names.emplace(id, person.ok() ? std::optional(people::DisplayName(*person)) : std::nullopt).first;
    }
    return it->second;
  };
  outbox_.AddForStream("programme-" + programme_id, "programme", subject, partners, append.first_version, append.events,
                       writes, {}, namer);
  if (auto suffixes = QueuedSince(writes, first); !suffixes.empty()) dispatcher_->Expect(std::move(suffixes));
  return Status::Ok();
}

Status WebhookService::Start() { return dispatcher_->Start(); }
void WebhookService::Stop() {
  if (dispatcher_) dispatcher_->Stop();
}

Status WebhookService::CheckTarget(const std::string& url) const {
  RELAIS_ASSIGN_OR_RETURN(auto parsed, plugins::webhook::WebhookUrl::Parse(url));
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(parsed.host, ec);
  if (ec) return Status::Ok();
  RELAIS_ASSIGN_OR_RETURN(auto guard, plugins::webhook::AddressGuard::Create(options_.allowed_ranges));
  return guard.Check(address);
}

StatusOr<Endpoint> WebhookService::UpdateEndpoint(const std::string& id, const EndpointFields& fields) {
  RELAIS_ASSIGN_OR_RETURN(Endpoint e, registry_.Update(id, fields));
  if (e.active) dispatcher_->Rescan();
  return e;
}

StatusOr<JsonPage> WebhookService::Pending(const std::string& endpoint, const std::string& after, size_t limit) {
  return admin_->Pending(endpoint, after, limit);
}
StatusOr<std::vector<Json>> WebhookService::Attempts(const std::string& delivery) { return admin_->Attempts(delivery); }
StatusOr<JsonPage> WebhookService::EndpointAttempts(const std::string& endpoint, const AttemptQuery& query) {
  return admin_->EndpointAttempts(endpoint, query);
}
StatusOr<JsonPage> WebhookService::DeadLetters(const std::optional<std::vector<std::string>>& endpoints,
                                               const std::string& after, size_t limit) {
  return admin_->DeadLetters(endpoints, after, limit);
}
StatusOr<Json> WebhookService::DeadLetter(const std::string& delivery) { return admin_->DeadLetter(delivery); }
Status WebhookService::Replay(const std::string& delivery) { return admin_->Replay(delivery); }
StatusOr<size_t> WebhookService::ReplaySince(TimePoint since,
                                             const std::optional<std::vector<std::string>>& endpoints) {
  return admin_->ReplaySince(since, endpoints);
}

}  // namespace relais::notify

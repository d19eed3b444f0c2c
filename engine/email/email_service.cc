#include "engine/email/email_service.h"

#include <fstream>
#include <sstream>

#include "engine/programme/review_placement.h"
#include "engine/util/thread_name.h"
#include "plugins/email/smtp_channel.h"

namespace relais::email {

namespace {

std::string DomainOf(const std::string& address) {
  const size_t at = address.rfind('@');
  return at == std::string::npos ? "localhost" : address.substr(at + 1);
}

StatusOr<std::string> ReadPassword(const std::string& path) {
  std::ifstream in(path);
  if (!in) return NotFound("email.password_file: cannot read '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  std::string password = text.str();
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  return password;
}

}  // namespace

EmailService::EmailService(EventStore& store, const Clock& clock, EmailOptions options)
    : store_(store),
      clock_(clock),
      options_(std::move(options)),
      outbox_(clock, plugins::email::Mailbox{options_.from_name, options_.from_address},
              options_.message_id_host.empty() ? DomainOf(options_.from_address) : options_.message_id_host),
      targets_(options_.smtp_url),
      preferences_(store) {}

EmailService::~EmailService() { Stop(); }

StatusOr<std::unique_ptr<EmailService>> EmailService::Create(EventStore& store, const Clock& clock,
                                                             EmailOptions options,
                                                             notify::Dispatcher::ChannelFactory factory) {
  if (!plugins::email::IsPlainAddress(options.from_address))
    return InvalidArgument("email.from_address: '" + options.from_address + "' is not an address (name@domain)");
  auto tls = plugins::email::ParseTlsMode(options.tls);
  if (!tls)
    return InvalidArgument("email.tls: expected starttls, try-starttls, none or tls, got '" + options.tls + "'");
  plugins::email::SmtpChannelOptions channel;
  channel.envelope_from = options.from_address;
  channel.username = options.username;
  channel.password = options.password;
  if (!options.password_file.empty()) {
    RELAIS_ASSIGN_OR_RETURN(channel.password, ReadPassword(options.password_file));
  }
  channel.tls = *tls;
  channel.ca_bundle = options.ca_bundle;
  channel.connect_timeout = options.connect_timeout;
  channel.total_timeout = options.total_timeout;
  channel.concurrency = options.dispatcher.max_concurrency_per_endpoint;
  if (!factory) {
    factory = [channel](boost::asio::io_context& io) -> StatusOr<std::unique_ptr<plugins::NotificationChannel>> {
      RELAIS_ASSIGN_OR_RETURN(auto c, plugins::email::SmtpChannel::Create(io, channel));
      return std::unique_ptr<plugins::NotificationChannel>(std::move(c));
    };
  }
  std::unique_ptr<EmailService> service(new EmailService(store, clock, std::move(options)));
  RELAIS_ASSIGN_OR_RETURN(UnsubscribeLinks links, UnsubscribeLinks::Load(store));
  service->links_.emplace(std::move(links));
  service->dispatcher_ = std::make_unique<notify::Dispatcher>(store, EmailQueueLayout(), service->targets_, clock,
                                                              service->options_.dispatcher, std::move(factory));
  service->admin_ = std::make_unique<notify::QueueAdmin>(store, EmailQueueLayout(), *service->dispatcher_);
  return service;
}

void EmailService::Attach(runtime::ProjectService& projects, programme::ProgrammeService& programmes,
                          RecipientDirectory& people) {
  notifier_ = std::make_unique<EmailNotifier>(*this, people, preferences_, *links_, projects.definitions(), clock_);
  projects.AddAppendHook([n = notifier_.get()](const runtime::ProjectAppend& append, KvWrites& writes) {
    return n->OnProjectAppend(append, writes);
  });
  programmes.AddAppendHook([n = notifier_.get()](const programme::ProgrammeAppend& append, KvWrites& writes) {
    return n->OnProgrammeAppend(append, writes);
  });
  invitations_ = std::make_unique<ReviewInvitations>(*this, people, preferences_, *links_, clock_);
  programmes.AddAppendHook([i = invitations_.get()](const programme::ProgrammeAppend& append, KvWrites& writes) {
    return i->OnProgrammeAppend(append, writes);
  });
  digests_ = std::make_unique<DigestRunner>(store_, *this, people, [&programmes](const std::string& programme) {
    if (!programme.empty())
      if (auto state = programmes.Get(programme); state.ok()) return programme::CalendarOf((*state)->definition);
    return calendar::WorkingCalendar();
  });
}

StatusOr<size_t> EmailService::RunDigests(TimePoint now) {
  if (!digests_ || !enabled()) return size_t{0};
  std::lock_guard lock(digest_mu_);
  return digests_->RunDue(now);
}

Status EmailService::Start() {
  if (!enabled()) return Status::Ok();
  RELAIS_RETURN_IF_ERROR(dispatcher_->Start());
  if (digests_ && !digest_thread_.joinable()) {
    digest_thread_ = std::thread([this] {
      SetThreadName("email-digest");
      std::unique_lock lock(wake_mu_);
      while (!wake_.wait_for(lock, options_.digest_check_interval, [this] { return stopping_; })) {
        lock.unlock();
        if (auto sent = RunDigests(clock_.Now()); !sent.ok())
          options_.dispatcher.info_log->Error("e-mail: digests failed", {{"cause", sent.status().ToString()}});
        lock.lock();
      }
    });
  }
  return Status::Ok();
}

void EmailService::Stop() {
  if (digest_thread_.joinable()) {
    {
      std::lock_guard lock(wake_mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    digest_thread_.join();
  }
  if (dispatcher_) dispatcher_->Stop();
}

StatusOr<std::string> EmailService::EnqueueMessage(const OutgoingEmail& email, KvWrites& writes) {
  if (!enabled()) return FailedPrecondition("e-mail is off: no email.smtp_url in the configuration");
  RELAIS_ASSIGN_OR_RETURN(std::string suffix, outbox_.Queue(email, writes));
  dispatcher_->Expect({suffix});
  return email.id;
}

StatusOr<std::string> EmailService::SendMessage(const OutgoingEmail& email) {
  KvWrites writes;
  RELAIS_ASSIGN_OR_RETURN(std::string id, EnqueueMessage(email, writes));
  RELAIS_RETURN_IF_ERROR(store_.KvWrite(writes));
  Wake();
  return id;
}

}  // namespace relais::email

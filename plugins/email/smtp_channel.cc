#include "plugins/email/smtp_channel.h"

#include <curl/curl.h>

#include <atomic>
#include <cstring>
#include <mutex>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

namespace relais::plugins::email {

namespace {

constexpr size_t kExcerptMax = 512;

struct Upload {
  const std::string* body;
  size_t offset = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* up = static_cast<Upload*>(user);
  const size_t n = std::min(size * count, up->body->size() - up->offset);
  std::memcpy(buffer, up->body->data() + up->offset, n);
  up->offset += n;
  return n;
}

// Aborts a transfer once the channel is destroyed.
int Progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(user)->load() ? 1 : 0;
}

OutcomeKind Classify(CURLcode code, long reply) {
  if (code == CURLE_OK) return OutcomeKind::kDelivered;
  if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) return OutcomeKind::kRefused;
  // A 5xx reply is the relay's final word on this message or recipient.
  // 535 (authentication) is Relais's configuration, not the message: retried.
  if (reply >= 500 && reply < 600 && reply != 535 && code != CURLE_LOGIN_DENIED) return OutcomeKind::kRefused;
  return OutcomeKind::kRetry;
}

}  // namespace

std::optional<TlsMode> ParseTlsMode(std::string_view text) {
  if (text == "starttls") return TlsMode::kStartTls;
  if (text == "try-starttls") return TlsMode::kTryStartTls;
  if (text == "none") return TlsMode::kNone;
  if (text == "tls") return TlsMode::kTls;
  return std::nullopt;
}

SmtpChannel::SmtpChannel(boost::asio::io_context& io, SmtpChannelOptions options)
    : io_(io), options_(std::move(options)) {}

StatusOr<std::unique_ptr<SmtpChannel>> SmtpChannel::Create(boost::asio::io_context& io, SmtpChannelOptions options) {
  if (options.envelope_from.empty()) return InvalidArgument("smtp: no envelope sender (email.from.address)");
  if (options.concurrency == 0) return InvalidArgument("smtp: concurrency must be at least 1");
  static std::once_flag once;
  static CURLcode global = CURLE_OK;
  std::call_once(once, [] { global = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (global != CURLE_OK) return Internal(std::string("smtp: libcurl did not start: ") + curl_easy_strerror(global));
  std::unique_ptr<SmtpChannel> channel(new SmtpChannel(io, std::move(options)));
  for (size_t i = 0; i < channel->options_.concurrency; ++i)
    channel->workers_.emplace_back([c = channel.get()] { c->Work(); });
  return channel;
}

SmtpChannel::~SmtpChannel() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  abort_->store(true);
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

void SmtpChannel::Deliver(const Delivery& delivery, Done done) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      jobs_.push_back({delivery, std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  DeliveryOutcome outcome;
  outcome.excerpt = "channel stopped";
  boost::asio::post(io_, [done = std::move(done), outcome]() mutable { done(std::move(outcome)); });
}

void SmtpChannel::Stop() {
  std::deque<Job> abandoned;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    abandoned.swap(jobs_);
  }
  abort_->store(true);
  wake_.notify_all();
  for (Job& job : abandoned) {
    DeliveryOutcome outcome;
    outcome.excerpt = "channel stopped";
    boost::asio::post(io_, [done = std::move(job.done), outcome]() mutable { done(std::move(outcome)); });
  }
}

void SmtpChannel::Work() {
  CURL* curl = curl_easy_init();
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
      if (jobs_.empty()) break;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    DeliveryOutcome outcome;
    if (curl) {
      outcome = Attempt(curl, job.delivery);
    } else {
      outcome.excerpt = "libcurl could not make a handle";
    }
    boost::asio::post(
        io_, [done = std::move(job.done), outcome = std::move(outcome)]() mutable { done(std::move(outcome)); });
  }
  if (curl) curl_easy_cleanup(curl);
}

DeliveryOutcome SmtpChannel::Attempt(void* handle, const Delivery& d) {
  CURL* curl = static_cast<CURL*>(handle);
  const auto start = std::chrono::steady_clock::now();
  DeliveryOutcome outcome;
  if (d.recipients.empty()) {
    outcome.kind = OutcomeKind::kRefused;
    outcome.excerpt = "no recipient";
    return outcome;
  }
  // The handle keeps its connection between transactions; options are set
  // again for each one.
  curl_easy_reset(curl);
  char error[CURL_ERROR_SIZE] = {0};
  Upload upload{&d.body};
  curl_slist* rcpt = nullptr;
  for (const std::string& r : d.recipients) rcpt = curl_slist_append(rcpt, ("<" + r + ">").c_str());
  const std::string from = "<" + options_.envelope_from + ">";
  curl_easy_setopt(curl, CURLOPT_URL, d.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
  curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
  curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(d.body.size()));
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, Progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, abort_.get());
  switch (options_.tls) {
    case TlsMode::kStartTls: curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL)); break;
    case TlsMode::kTryStartTls: curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_TRY)); break;
    case TlsMode::kNone: curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_NONE)); break;
    case TlsMode::kTls: break;  // smtps:// is TLS from the start
  }
  if (!options_.ca_bundle.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_bundle.c_str());
  if (!options_.username.empty()) {
    curl_easy_setopt(curl, CURLOPT_USERNAME, options_.username.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, options_.password.c_str());
  }
  const CURLcode code = curl_easy_perform(curl);
  long reply = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply);
  curl_slist_free_all(rcpt);
  outcome.kind = Classify(code, reply);
  outcome.status = static_cast<int>(reply);
  if (code != CURLE_OK) {
    outcome.excerpt = std::string(curl_easy_strerror(code)) + (error[0] ? std::string(": ") + error : "");
    if (outcome.excerpt.size() > kExcerptMax) outcome.excerpt.resize(kExcerptMax);
  }
  outcome.latency = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  return outcome;
}

}  // namespace relais::plugins::email

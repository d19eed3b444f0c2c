// SmtpChannel: e-mail's NotificationChannel. One attempt is one SMTP
// transaction (MAIL FROM, RCPT TO for each of the delivery's recipients,
// DATA with the delivery's body, the message built by MessageBuilder) made
// by libcurl to the relay at the delivery's url: smtp:// (STARTTLS
// required, offered, or not used, by tls mode) or smtps:// (TLS from the
// start), with AUTH when a username is set. Outcomes: the relay accepted the
// message (250 after DATA) -> kDelivered; a network error, a timeout or a
// 4xx reply -> kRetry; a 5xx reply (a refused recipient or message) or a
// malformed URL -> kRefused (dead letter; replay after fixing the cause).
//
// libcurl blocks, so attempts run on the channel's own worker threads
// (`concurrency` of them, each keeping its connection open between
// transactions); their outcome is posted back to the dispatcher's
// io_context, where done runs, as plugins/channel.h requires.
//
// Thread-safety: Deliver and Stop from the dispatcher's I/O thread; the
// destructor (from any thread) aborts transfers under way and joins the
// workers. *io must outlive the channel.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/util/status.h"
#include "plugins/channel.h"

namespace boost::asio {
class io_context;
}

namespace relais::plugins::email {

enum class TlsMode {
  kStartTls,     // smtp://: STARTTLS required (the default)
  kTryStartTls,  // smtp://: STARTTLS when the relay offers it
  kNone,         // smtp:// in clear (a loopback catcher)
  kTls,          // smtps://: TLS from the first byte
};

// "starttls", "try-starttls", "none", "tls"; nullopt for anything else.
std::optional<TlsMode> ParseTlsMode(std::string_view text);

struct SmtpChannelOptions {
  std::string envelope_from;  // MAIL FROM address (the configured from address)
  std::string username;       // AUTH; empty: no AUTH
  std::string password;
  TlsMode tls = TlsMode::kStartTls;
  std::string ca_bundle;                              // PEM file of trusted CAs; empty: the system's
  std::chrono::milliseconds connect_timeout{10'000};  // connect + greeting + TLS
  std::chrono::milliseconds total_timeout{60'000};    // one whole transaction
  size_t concurrency = 4;                             // transactions at once (one connection each)
};

class SmtpChannel final : public NotificationChannel {
 public:
  // Errors: kInvalidArgument (no envelope_from, concurrency 0, tls "tls"
  // with an smtp:// relay is checked per attempt); kInternal when libcurl
  // cannot start.
  static StatusOr<std::unique_ptr<SmtpChannel>> Create(boost::asio::io_context& io, SmtpChannelOptions options);
  ~SmtpChannel() override;

  void Deliver(const Delivery& delivery, Done done) override;
  void Stop() override;

 private:
  struct Job {
    Delivery delivery;
    Done done;
  };
  SmtpChannel(boost::asio::io_context& io, SmtpChannelOptions options);
  void Work();
  DeliveryOutcome Attempt(void* curl, const Delivery& delivery);

  boost::asio::io_context& io_;
  const SmtpChannelOptions options_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::shared_ptr<std::atomic<bool>> abort_ = std::make_shared<std::atomic<bool>>(false);
  std::vector<std::thread> workers_;
};

}  // namespace relais::plugins::email

// EmailOptions: section `email:` of the configuration (email_config.h,
// docs/config.md, docs/email.md). E-mail is off until smtp_url is set.
//
// Thread-safety: a plain value.
#pragma once

#include <chrono>
#include <string>

#include "engine/notify/dispatcher.h"

namespace relais::email {

struct EmailOptions {
  std::string smtp_url;          // smtp://host:587 or smtps://host:465; empty: no e-mail is sent or queued
  std::string tls = "starttls";  // starttls | try-starttls | none | tls (plugins/email/smtp_channel.h)
  std::string username;          // SMTP AUTH; empty: none
  std::string password;          // or password_file (read at start, trailing newline dropped)
  std::string password_file;
  std::string ca_bundle;                              // PEM file of trusted CAs; empty: the system's
  std::string from_address = "relais@localhost";      // From and the envelope sender
  std::string from_name = "Relais";                   // From's display name
  std::string message_id_host;                        // Message-ID's right side; empty: from_address's domain
  std::chrono::milliseconds connect_timeout{10'000};  // connect + greeting + TLS
  std::chrono::milliseconds total_timeout{60'000};    // one SMTP transaction
  // Retries, concurrency (SMTP transactions at once) and the re-check
  // interval; disable_after is not used (the relay is never disabled).
  notify::DispatcherOptions dispatcher = DefaultDispatcher();
  std::string public_base_url;  // links in e-mails; empty: webhooks.public_base_url
  size_t digest_hour = 8;       // the daily digest goes at this hour, Europe/Paris, on working days
  std::chrono::milliseconds digest_check_interval{60'000};  // how often due digests are looked for
  size_t max_recipients_per_event = 1'000;                  // people one event e-mails, at most

  bool enabled() const { return !smtp_url.empty(); }

  static notify::DispatcherOptions DefaultDispatcher() {
    notify::DispatcherOptions d;
    using std::chrono::milliseconds;
    // immediately, 1 min, 5 min, 30 min, 2 h, 6 h, 12 h, 24 h: a relay down for a day loses nothing.
    d.retry_schedule = {milliseconds(0),          milliseconds(60'000),    milliseconds(300'000),
                        milliseconds(1'800'000),  milliseconds(7'200'000), milliseconds(21'600'000),
                        milliseconds(43'200'000), milliseconds(86'400'000)};
    d.max_concurrency_per_endpoint = 4;
    return d;
  }
};

}  // namespace relais::email

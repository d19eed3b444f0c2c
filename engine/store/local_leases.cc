#include "engine/store/local_leases.h"

namespace relais {

Status ValidateLeaseRequest(const std::string& lease, const std::string& holder, std::chrono::milliseconds ttl) {
  if (lease.empty()) return InvalidArgument("a lease needs a name");
  if (holder.empty()) return InvalidArgument("lease '" + lease + "': the holder is empty");
  if (ttl.count() <= 0)
    return InvalidArgument("lease '" + lease + "': a duration of " + std::to_string(ttl.count()) +
                           " ms; expected more than 0");
  return Status::Ok();
}

Status StaleFence(const Fence& fence, uint64_t current_token) {
  return FailedPrecondition("fenced: lease '" + fence.lease + "' is at token " + std::to_string(current_token) +
                            ", this write carries token " + std::to_string(fence.token) +
                            " (its holder lost the lease); nothing written");
}

StatusOr<LeaseGrant> LocalLeases::Acquire(const std::string& lease, const std::string& holder,
                                          std::chrono::milliseconds ttl) {
  RELAIS_RETURN_IF_ERROR(ValidateLeaseRequest(lease, holder, ttl));
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(mu_);
  Held& h = leases_[lease];  // a new lease: token 0, expired
  const bool live = h.token > 0 && h.expires > now;
  if (live && h.holder != holder) return LeaseGrant{false, 0, h.holder};
  if (!live) ++h.token;  // taken, or re-taken after expiring
  h.holder = holder;
  h.expires = now + ttl;
  return LeaseGrant{true, h.token, holder};
}

Status LocalLeases::Release(const std::string& lease, const std::string& holder) {
  std::lock_guard lock(mu_);
  auto it = leases_.find(lease);
  if (it != leases_.end() && it->second.holder == holder) it->second.expires = std::chrono::steady_clock::time_point{};
  return Status::Ok();
}

Status LocalLeases::Fenced(const std::optional<Fence>& fence, const std::function<Status()>& write) {
  if (!fence) return write();
  std::lock_guard lock(mu_);
  auto it = leases_.find(fence->lease);
  const uint64_t current = it == leases_.end() ? 0 : it->second.token;
  if (current != fence->token) return StaleFence(*fence, current);
  return write();
}

}  // namespace relais

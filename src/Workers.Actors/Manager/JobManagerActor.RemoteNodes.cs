using System.Security.Cryptography;
using System.Text;
using Akka.Actor;
using Akka.Event;
using Workers.Actors.Manager;
using Workers.Actors.Proxy;

namespace Workers.Actors;

// Registrations: a spawned node's goes to the proxy that started it; a node started by an operator (on this host or
// another) must present the node token and becomes a slot of its own, dropped when the node is lost.
public sealed partial class JobManagerActor
{
    private long _externalSlotNames;

    private void Handle(RegisterWorker registration)
    {
        var existing = _slots.Find(slot => slot.WorkerId == registration.WorkerId);
        if (existing is { IsExternal: false })
        {
            // Spawned slots keep their own check (the pid they started), token or not.
            if (existing.Proxy is { } proxy)
            {
                proxy.Forward(registration);
                return;
            }
            _log.Warning("Refused a registration from unknown worker [{0}] (pid [{1}])", registration.WorkerId, registration.Pid);
            registration.Worker.Tell(new WorkerRegistrationRefused(registration.WorkerId, $"no slot {registration.WorkerId} is starting"));
            return;
        }
        if (existing is { Proxy: { } current } && registration.Worker.Equals(existing.ExternalNode))
        {
            current.Forward(registration); // a repeat that crossed our answer: the proxy answers again
            return;
        }

        var host = registration.Worker.Path.Address.Host ?? "unknown host";
        if (TokenRefusal(registration.Token) is { } refusal)
        {
            Refuse(registration, host, refusal, tokenRejected: true);
            return;
        }
        if (_stopping)
        {
            Refuse(registration, host, "the job manager is shutting down", tokenRejected: false);
            return;
        }
        if (existing is not null)
        {
            if (existing.Host != host)
            {
                Refuse(registration, host, $"worker id {registration.WorkerId} is already registered from host {existing.Host}", tokenRejected: false);
                return;
            }
            // The same node restarted before the loss of its previous process was detected: that process is gone.
            DropExternalSlot(existing, new WorkerLostException(existing.WorkerId, existing.Pid, existing.RunningJob?.Id,
                $"worker node on host {host} was lost: it registered again as a new process"));
        }
        AddExternalSlot(registration, host);
    }

    /// <summary>Why a node's token is not accepted, or null when it is. The comparison takes the same time whatever the token.</summary>
    private string? TokenRefusal(string? token)
    {
        if (_nodeToken is null)
            return "this manager accepts no nodes started outside it (no NodeToken is configured)";
        if (string.IsNullOrEmpty(token))
            return "the node presented no token (start it with --token-file)";
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(_nodeToken))
            ? null
            : "the node's token is not the manager's";
    }

    private void Refuse(RegisterWorker registration, string host, string reason, bool tokenRejected)
    {
        _log.Warning("Refused worker node [{0}] on host [{1}] (pid [{2}], address [{3}]): {4}",
            registration.WorkerId, host, registration.Pid, registration.Worker.Path.Address, reason);
        registration.Worker.Tell(new WorkerRegistrationRefused(registration.WorkerId, reason, tokenRejected));
    }

    private void AddExternalSlot(RegisterWorker registration, string host)
    {
        var slot = new Slot(registration.WorkerId, host, registration.Worker) { State = WorkerState.Starting };
        var props = RemoteNodeProxyActor.Props(registration.WorkerId, host, registration, _options.Worker);
        slot.Proxy = Context.Watch(Context.ActorOf(props, $"remote-{++_externalSlotNames}"));
        _slots.Add(slot);
        _log.Info("Worker node [{0}] on host [{1}] (pid [{2}]) registered with plugins [{3}]",
            registration.WorkerId, host, registration.Pid, string.Join(", ", registration.Plugins));
    }

    /// <summary>
    /// An external node is gone (or was replaced): the job it was running ends with the reason, and its slot is removed.
    /// The manager never starts such a node; when its supervisor restarts it, it registers and becomes a slot again.
    /// </summary>
    private void DropExternalSlot(Slot slot, Exception cause)
    {
        var reason = SettleRunningJob(slot, cause);
        if (cause is WorkerCancelledException or WorkerRecycledException)
            _log.Info("Worker node [{0}] on host [{1}] leaves its slot: {2}", slot.WorkerId, slot.Host, reason);
        else
            _log.Warning("Worker node [{0}] on host [{1}] (pid [{2}]) is gone: {3}", slot.WorkerId, slot.Host, slot.Pid, reason);
        if (slot.Pid is { } pid)
            Publish(new WorkerExited(slot.WorkerId, pid, reason));
        if (slot.Proxy is { } proxy)
        {
            Context.Unwatch(proxy);
            Context.Stop(proxy);
        }
        _slots.Remove(slot);
        Dispatch();
    }
}

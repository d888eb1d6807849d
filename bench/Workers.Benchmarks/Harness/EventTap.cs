using System.Diagnostics;
using Akka.Actor;
using Workers.Actors;

namespace Workers.Benchmarks.Harness;

/// <summary>A message and the <see cref="Stopwatch"/> timestamp at which the tap received it.</summary>
internal readonly record struct Stamped<T>(T Message, long Timestamp);

/// <summary>
/// The benchmark's client of a manager: an all-jobs subscriber that also sends the commands (so the replies come
/// back to it too), and timestamps every message the moment it arrives. A workload arms a wait for the message it
/// is interested in before it acts (<see cref="Next{T}"/>, then submit), and awaits it after; nothing is recorded
/// otherwise, so the tap holds no memory of its own in the memory workload.
/// </summary>
internal sealed class Tap
{
    public Tap(ActorSystem system, Action<int> onNodePid) =>
        Ref = system.ActorOf(Props.Create(() => new TapActor(onNodePid)), "tap");

    public IActorRef Ref { get; }

    /// <summary>
    /// The next message of type <typeparamref name="T"/> that matches, with its arrival time. Arm it before the
    /// action that causes the message: the registration reaches the tap's mailbox before anything that action causes.
    /// </summary>
    public Task<Stamped<T>> Next<T>(Func<T, bool>? match = null)
    {
        var waiter = new Waiter<T>(match ?? (_ => true));
        Ref.Tell(waiter);
        return waiter.Task;
    }

    /// <summary>The <paramref name="n"/>-th matching message from now on.</summary>
    public Task<Stamped<T>> Nth<T>(int n, Func<T, bool>? match = null)
    {
        var seen = 0; // only touched on the tap's thread
        return Next<T>(message => (match is null || match(message)) && ++seen == n);
    }

    /// <summary>The next event of type <typeparamref name="T"/> of one job.</summary>
    public Task<Stamped<T>> Next<T>(string jobId) where T : IJobEvent => Next<T>(e => e.JobId == jobId);

    private abstract class Waiter : INoSerializationVerificationNeeded
    {
        /// <summary>Whether the message completes this waiter (which is then forgotten).</summary>
        public abstract bool Offer(object message, long timestamp);

        public abstract void Fail(Exception cause);
    }

    private sealed class Waiter<T>(Func<T, bool> match) : Waiter
    {
        private readonly TaskCompletionSource<Stamped<T>> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<Stamped<T>> Task => _done.Task;

        public override bool Offer(object message, long timestamp) =>
            message is T typed && match(typed) && _done.TrySetResult(new Stamped<T>(typed, timestamp));

        public override void Fail(Exception cause) => _done.TrySetException(cause);
    }

    private sealed class TapActor(Action<int> onNodePid) : UntypedActor
    {
        private readonly List<Waiter> _waiters = [];
        private readonly HashSet<int> _pids = [];

        protected override void OnReceive(object message)
        {
            var now = Stopwatch.GetTimestamp();
            switch (message)
            {
                case Waiter waiter:
                    _waiters.Add(waiter);
                    return;
                case WorkerStarted started:
                    NodeSeen(started.Pid);
                    break;
                case JobStarted started:
                    NodeSeen(started.WorkerPid);
                    break;
                case JobRejected rejected:
                    FailAll(rejected);
                    return;
            }
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Offer(message, now))
                    _waiters.RemoveAt(i);
            }
        }

        /// <summary>No workload expects a rejection: every wait would otherwise run into its timeout.</summary>
        /// <remarks>Its own method: a lambda in OnReceive capturing a local would allocate for every event, counted as the manager's.</remarks>
        private void FailAll(JobRejected rejected)
        {
            var cause = new InvalidOperationException($"The manager rejected a job: {rejected.Reason}");
            _waiters.ForEach(waiter => waiter.Fail(cause));
            _waiters.Clear();
        }

        private void NodeSeen(int pid)
        {
            if (_pids.Add(pid))
                onNodePid(pid);
        }
    }
}

using System.Reflection;
using Kiln.Api;
using Kiln.Proofs.Sdr;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Worker.Calls;
using Kiln.Worker.Rpc;
using Kiln.Worker.Run;
using Kiln.Worker.Sealing;
using Kiln.Worker.Tests.Pieces;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Tests.Contract;

/// <summary>
/// A real kiln-worker below its transport: one sealing path over an in-memory sector index, the call journal in a
/// temporary directory, the sealing steps, the <see cref="CallRunner"/> and the <see cref="WorkerApi"/>; results go
/// to a <see cref="RecordingMiner"/>.
/// </summary>
public sealed class WorkerStack : IAsyncDisposable
{
    /// <summary>The name the worker gives itself (Lotus's <c>[name: ...]</c> in its error messages).</summary>
    public const string Name = "contract-worker";

    private WorkerStack(string dir, string root, MemSectorIndex index, LocalStore store, CallTracker tracker, WorkerApi api, RecordingMiner miner, WorkerOptions options)
    {
        Dir = dir;
        Root = root;
        Index = index;
        Store = store;
        Tracker = tracker;
        Api = api;
        Miner = miner;
        Options = options;
    }

    public string Dir { get; }

    /// <summary>The sealing path's root.</summary>
    public string Root { get; }

    /// <summary>The sector index the sealing path declares into.</summary>
    public MemSectorIndex Index { get; }

    public LocalStore Store { get; }

    public CallTracker Tracker { get; }

    public WorkerApi Api { get; }

    public RecordingMiner Miner { get; }

    public WorkerOptions Options { get; }

    /// <param name="returnRetryInterval">How soon a refused <c>Return*</c> is sent again (lotus-worker's default when null).</param>
    public static async Task<WorkerStack> StartAsync(TimeSpan? returnRetryInterval = null)
    {
        var dir = Path.Combine(Path.GetTempPath(), "kiln-contract-" + Guid.NewGuid().ToString("N"));
        var root = Path.Combine(dir, "store");
        var index = new MemSectorIndex();
        var store = new LocalStore(index, new LocalStoreOptions { Urls = ["http://worker.test/remote"] });
        await store.AttachAsync(root, init: true, canSeal: true, canStore: true, ct: CancellationToken.None);
        var tracker = await CallTracker.OpenAsync(Path.Combine(dir, "calls.sqlite"), CancellationToken.None);
        var minerProxy = DispatchProxy.Create<IMinerStorageApi, RecordingMiner>();
        var returns = new ReturnSender(minerProxy, tracker, returnRetryInterval ?? WorkerOptions.DefaultReturnRetryInterval, TimeProvider.System, NullLogger.Instance);
        var options = new WorkerOptions { RepoPath = dir, Name = Name };
        var tasks = new SealingTasks(store, new ParentCacheOptions { Directory = Path.Combine(dir, "parents") }, NullLogger.Instance);
        var calls = new CallRunner(tracker, returns, options.EffectiveName, NullLogger.Instance);
        var api = new WorkerApi(options, store, tasks, calls, _ => null, NullLogger.Instance);
        return new WorkerStack(dir, root, index, store, tracker, api, (RecordingMiner)(object)minerProxy, options);
    }

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        await Tracker.DisposeAsync();
        Directory.Delete(Dir, recursive: true);
    }
}

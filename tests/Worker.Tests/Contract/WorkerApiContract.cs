using System.Text;
using Kiln.Api;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Worker.Tests.Contract;

/// <summary>
/// What every caller of kiln-worker's API may rely on, whether it holds the <see cref="Rpc.WorkerApi"/> object or
/// reaches it over JSON-RPC as kiln-miner does (Lotus api/api_worker.go Worker): each test runs once per subclass and
/// asserts the same values, codes and messages both ways.
/// </summary>
public abstract class WorkerApiContract : IAsyncLifetime
{
    /// <summary>Lotus itests/worker_test.go TestWorkerDataCid: the piece CID of 1016 bytes of 'a'.</summary>
    private const string LotusA1016 = "baga6ea4seaqlhznlutptgfwhffupyer6txswamerq5fc2jlwf2lys2mm5jtiaeq";

    private static readonly CancellationToken Ct = CancellationToken.None;

    /// <summary>The worker under test, below its transport.</summary>
    protected WorkerStack Stack { get; private set; } = null!;

    /// <summary>The worker as this subclass reaches it.</summary>
    protected IWorkerApi Worker { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await WorkerStack.StartAsync();
        Worker = await ConnectAsync(Stack);
    }

    public async Task DisposeAsync()
    {
        await DisconnectAsync();
        await Stack.DisposeAsync();
    }

    /// <summary>The API of <paramref name="stack"/> as this transport exposes it.</summary>
    protected abstract Task<IWorkerApi> ConnectAsync(WorkerStack stack);

    /// <summary>Closes what <see cref="ConnectAsync"/> opened.</summary>
    protected virtual ValueTask DisconnectAsync() => ValueTask.CompletedTask;

    private static SectorRef Sector(ulong number) => new(new SectorId(1000, number), RegisteredSealProof.StackedDrg2KiBV1_1);

    [Fact]
    public async Task Version_is_the_lotus_worker_api_version()
    {
        var version = await Worker.VersionAsync(Ct);

        Assert.Equal((1u, 7u, 0u, 0x010700u), (version.Major, version.Minor, version.Patch, version.Value));
    }

    [Fact]
    public async Task Task_types_are_the_enabled_ones_and_follow_disable_and_enable()
    {
        Assert.Equal(Stack.Options.EnabledTasks.OrderBy(t => t), (await Worker.TaskTypesAsync(Ct)).OrderBy(t => t));
        Assert.Contains(TaskType.AddPiece, await Worker.TaskTypesAsync(Ct));

        await Worker.TaskDisableAsync(TaskType.AddPiece, Ct);
        Assert.DoesNotContain(TaskType.AddPiece, await Worker.TaskTypesAsync(Ct));

        await Worker.TaskEnableAsync(TaskType.AddPiece, Ct);
        Assert.Contains(TaskType.AddPiece, await Worker.TaskTypesAsync(Ct));
    }

    [Fact]
    public async Task Paths_list_the_sealing_path_with_its_id_and_root()
    {
        var path = Assert.Single(await Worker.PathsAsync(Ct));

        Assert.Equal((Stack.Store.Local().Keys.Single(), Stack.Root, true, true), (path.ID, path.LocalPath, path.CanSeal, path.CanStore));
    }

    [Fact]
    public async Task Info_names_the_worker_and_counts_its_cores()
    {
        var info = await Worker.InfoAsync(Ct);

        Assert.Equal((WorkerStack.Name, false, (ulong)Environment.ProcessorCount), (info.Hostname, info.IgnoreResources, info.Resources.CPUs));
        Assert.True(info.Resources.MemPhysical > 0, "memory is reported");
    }

    [Fact]
    public async Task Session_is_the_process_session_and_an_error_while_disabled()
    {
        Assert.Equal(Stack.Api.ProcessSession, await Worker.SessionAsync(Ct));
        Assert.Equal(Stack.Api.ProcessSession, await Worker.ProcessSessionAsync(Ct));

        await Worker.SetEnabledAsync(false, Ct);
        Assert.False(await Worker.EnabledAsync(Ct));
        var e = await Assert.ThrowsAsync<RpcException>(() => Worker.SessionAsync(Ct));
        Assert.Equal((RpcErrorCodes.Application, "worker disabled"), (e.Code, e.Message));

        await Worker.SetEnabledAsync(true, Ct);
        Assert.Equal(Stack.Api.ProcessSession, await Worker.SessionAsync(Ct));
    }

    [Fact]
    public async Task Session_is_nil_after_shutdown()
    {
        await Worker.ShutdownAsync(Ct);

        Assert.Equal(Guid.Empty, await Worker.SessionAsync(Ct));
    }

    [Fact]
    public async Task Add_piece_answers_a_call_id_and_returns_the_piece_info_through_return_add_piece()
    {
        var call = await Worker.AddPieceAsync(Sector(1), [], 1016, new MemoryStream(Encoding.ASCII.GetBytes(new string('a', 1016))), Ct);

        Assert.Equal(new SectorId(1000, 1), call.Sector);
        var (result, error) = await Stack.Miner.ResultAsync(call);
        Assert.Null(error);
        var piece = Assert.IsType<PieceInfo>(result);
        Assert.Equal((1024UL, LotusA1016), (piece.Size, piece.PieceCID.ToString()));
    }

    [Fact]
    public async Task A_bad_piece_size_fails_the_call_with_a_call_error_naming_the_sector_and_worker()
    {
        var call = await Worker.AddPieceAsync(Sector(2), [], 1000, new MemoryStream(new byte[1000]), Ct);

        var (result, error) = await Stack.Miner.ResultAsync(call);
        Assert.NotNull(error);
        Assert.Equal((CallError.ErrUnknown, "AP of sector s-t01000-2: piece size 1000 is not 127·2^k [name: contract-worker]"), (error.Code, error.Message));

        // Lotus sends the zero PieceInfo beside an error.
        Assert.Equal(0UL, Assert.IsType<PieceInfo>(result).Size);
    }

    [Fact]
    public async Task A_task_kiln_worker_cannot_execute_is_a_json_rpc_error()
    {
        var e = await Assert.ThrowsAsync<RpcException>(() => Worker.ReplicaUpdateAsync(Sector(3), [], Ct));

        Assert.Equal((RpcErrorCodes.Application, "kiln-worker cannot execute seal/v0/replicaupdate (RU) yet"), (e.Code, e.Message));
        var enable = await Assert.ThrowsAsync<RpcException>(() => Worker.TaskEnableAsync(TaskType.ReplicaUpdate, Ct));
        Assert.Equal((RpcErrorCodes.Application, "kiln-worker cannot execute seal/v0/replicaupdate (RU) yet"), (enable.Code, enable.Message));
    }

    [Fact]
    public async Task Detaching_an_unknown_path_is_a_json_rpc_error_naming_the_path()
    {
        var missing = Path.Combine(Stack.Dir, "not-attached");

        var e = await Assert.ThrowsAsync<RpcException>(() => Worker.StorageDetachLocalAsync(missing, Ct));

        Assert.Equal((RpcErrorCodes.Application, $"no open path at '{missing}'"), (e.Code, e.Message));
    }

    [Fact]
    public async Task A_call_cancelled_before_it_is_answered_leaves_nothing_in_the_journal()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Worker.FinalizeSectorAsync(Sector(4), cancelled.Token));

        Assert.Empty(await Stack.Tracker.ListAsync(Ct));
    }
}

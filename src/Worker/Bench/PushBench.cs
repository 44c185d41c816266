using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Kiln.Api;
using Kiln.Api.IO;
using Kiln.Api.JsonRpc;
using Kiln.Api.Types;
using Kiln.Proofs;
using Kiln.Proofs.Sdr;
using Kiln.Stores.Index;
using Kiln.Stores.Local;
using Kiln.Worker.Calls;
using Kiln.Worker.Rpc;
using Kiln.Worker.Run;
using Kiln.Worker.Sealing;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kiln.Worker.Bench;

/// <summary>
/// <c>kiln-worker bench push</c>: a piece pushed as a reader param (Lotus lib/rpcenc) over loopback into this
/// worker's own RPC API, as kiln-miner sends it: AddPiece into a 32 GiB sector's unsealed file, then DataCid of the
/// same bytes, each with its MB/s and the process's RSS before and peak after (it must not grow with the piece),
/// against <c>sha256sum</c> of the same bytes measured in the same run.
/// </summary>
internal static class PushBench
{
    public static Command Command()
    {
        var size = new Option<string>("--size") { Description = "padded piece size, a power of two (e.g. 1GiB)", DefaultValueFactory = _ => "1GiB" };
        var dir = new Option<string?>("--dir") { Description = "directory for the sealing path (default: a temp dir, removed after)" };
        var cmd = new Command("push", "Measure a pushed piece into AddPiece and DataCid over loopback RPC (MB/s, peak RSS) against sha256sum") { size, dir };
        cmd.SetAction(async (parse, ct) =>
        {
            var padded = Kiln.Proofs.SectorSizes.Parse(parse.GetValue(size)!);
            await RunAsync(padded, parse.GetValue(dir), Console.Out, ct).ConfigureAwait(false);
            return 0;
        });
        return cmd;
    }

    public static async Task RunAsync(ulong paddedSize, string? dir, TextWriter output, CancellationToken ct)
    {
        var unpadded = paddedSize / 128 * 127;
        var owned = dir is null;
        dir ??= Path.Combine(Path.GetTempPath(), "kiln-bench-push-" + Guid.NewGuid().ToString("N"));
        var index = new MemSectorIndex();
        var store = new LocalStore(index, new LocalStoreOptions { Urls = ["http://127.0.0.1/remote"] });
        await store.AttachAsync(Path.Combine(dir, "store"), init: true, canSeal: true, canStore: true, ct: ct).ConfigureAwait(false);
        var tracker = await CallTracker.OpenAsync(Path.Combine(dir, "calls.db"), ct).ConfigureAwait(false);
        await using var trackerScope = tracker.ConfigureAwait(false);
        var minerProxy = DispatchProxy.Create<IMinerStorageApi, ResultsMiner>();
        var miner = (ResultsMiner)(object)minerProxy;
        var returns = new ReturnSender(minerProxy, tracker, TimeSpan.FromMilliseconds(100), TimeProvider.System, NullLogger.Instance);
        var tasks = new SealingTasks(store, new ParentCacheOptions { Directory = Path.Combine(dir, "parents") }, NullLogger.Instance);
        var api = new WorkerApi(new WorkerOptions { RepoPath = dir }, store, tasks, new CallRunner(tracker, returns, "bench", NullLogger.Instance), _ => null, NullLogger.Instance);
        await using var apiScope = api.ConfigureAwait(false);

        var builder = Microsoft.AspNetCore.Builder.WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        await using var appScope = app.ConfigureAwait(false);
        app.MapLotusRpc("/rpc/v0", RpcServer.Create<IWorkerApi>(api));
        await app.StartAsync(ct).ConfigureAwait(false);
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
            var client = RpcClient.Create(new Uri(new Uri(address), "/rpc/v0"));
            await using var clientScope = client.ConfigureAwait(false);
            var worker = client.CreateProxy<IWorkerApi>();
            output.WriteLine($"piece: {unpadded} bytes ({paddedSize} padded), pushed over {address}");

            var sector = new SectorRef(new SectorId(1000, 1), RegisteredSealProof.StackedDrg32GiBV1_1);
            await MeasureAsync(output, "AddPiece (32GiB sector)", unpadded, miner, () => worker.AddPieceAsync(sector, [], unpadded, new PatternStream((long)unpadded), ct)).ConfigureAwait(false);
            await MeasureAsync(output, "DataCid", unpadded, miner, () => worker.DataCidAsync(unpadded, new PatternStream((long)unpadded), ct)).ConfigureAwait(false);

            var started = Stopwatch.GetTimestamp();
            var digest = await Sha256SumAsync((long)unpadded, ct).ConfigureAwait(false);
            var took = Stopwatch.GetElapsedTime(started);
            output.WriteLine($"{digest.Tool,-24} {Rate(unpadded, took)} MB/s  {took.TotalSeconds:F2} s  {digest.Hex[..16]}…");
        }
        finally
        {
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            if (owned)
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    private static async Task MeasureAsync(TextWriter output, string name, ulong bytes, ResultsMiner miner, Func<Task<CallId>> call)
    {
        var rssBefore = Environment.WorkingSet;
        ResetPeakRss();
        var started = Stopwatch.GetTimestamp();
        var id = await call().ConfigureAwait(false);
        var (result, error) = await miner.ResultAsync(id).ConfigureAwait(false);
        var took = Stopwatch.GetElapsedTime(started);
        if (error is not null)
        {
            throw new InvalidOperationException($"{name} failed: {error.Message}");
        }

        var piece = (PieceInfo)result!;
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"{name,-24} {Rate(bytes, took)} MB/s  {took.TotalSeconds:F2} s  RSS {rssBefore >> 20} MiB before, peak {PeakRss() >> 20} MiB  {piece.PieceCID}"));
    }

    private static string Rate(ulong bytes, TimeSpan took) => (bytes / took.TotalSeconds / 1e6).ToString("F0", CultureInfo.InvariantCulture);

    /// <summary>Linux: clears VmHWM (writing 5 to clear_refs) so the next read is this step's peak.</summary>
    private static void ResetPeakRss()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Not Linux or not allowed: the peak is then the process's whole-life peak.
        }
    }

    private static long PeakRss()
    {
        if (File.Exists("/proc/self/status"))
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) << 10;
                }
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64;
    }

    /// <summary><c>sha256sum</c> of the same bytes fed through a pipe, or .NET's SHA-256 when it is not installed.</summary>
    private static async Task<(string Tool, string Hex)> Sha256SumAsync(long length, CancellationToken ct)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("sha256sum") { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false })!;
            await new PatternStream(length).CopyToAsync(process.StandardInput.BaseStream, 1 << 20, ct).ConfigureAwait(false);
            process.StandardInput.Close();
            var line = await process.StandardOutput.ReadToEndAsync(ct).ConfigureAwait(false);
            await process.WaitForExitAsync(ct).ConfigureAwait(false);
            return ("sha256sum", line.Split(' ')[0]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return ("SHA256 (.NET)", Convert.ToHexString(await SHA256.HashDataAsync(new PatternStream(length), ct).ConfigureAwait(false)));
        }
    }

    /// <summary>Pseudo-random bytes made on the fly (xorshift64*), so a 1 GiB piece needs no memory.</summary>
    private sealed class PatternStream(long length) : ForwardReadStream
    {
        private ulong _state = 0x9E3779B97F4A7C15UL;
        private long _position;

        public override long Length => length;

        public override long Position => _position;

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position) & ~7;
            if (n == 0)
            {
                n = (int)Math.Min(buffer.Length, length - _position);
                buffer[..n].Clear();
            }
            else
            {
                var words = MemoryMarshal.Cast<byte, ulong>(buffer[..n]);
                for (var i = 0; i < words.Length; i++)
                {
                    _state ^= _state >> 12;
                    _state ^= _state << 25;
                    _state ^= _state >> 27;
                    words[i] = _state * 0x2545F4914F6CDD1DUL;
                }
            }

            _position += n;
            return n;
        }
    }

    /// <summary>The miner's Return* side: the result of each call, by id.</summary>
    public class ResultsMiner : DispatchProxy
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<CallId, TaskCompletionSource<(object?, CallError?)>> _results = new();

        public Task<(object? Result, CallError? Error)> ResultAsync(CallId id) => Slot(id).Task;

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            ArgumentNullException.ThrowIfNull(args);
            Slot((CallId)args[0]!).TrySetResult((args.Length == 4 ? args[1] : null, (CallError?)args[^2]));
            return Task.CompletedTask;
        }

        private TaskCompletionSource<(object?, CallError?)> Slot(CallId id) =>
            _results.GetOrAdd(id, _ => new TaskCompletionSource<(object?, CallError?)>(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}

using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text;
using Kiln.Api.Types;
using Kiln.Miner.Rpc;

namespace Kiln.Miner.Cli;

/// <summary>
/// <c>kiln-miner sectors pledge | list | status | batching | retry | abort | update-state</c>, after lotus-miner's
/// <c>sectors</c> commands (Lotus cli/miner/sectors.go and cli/spcli/sectors.go): the same labels and columns where
/// Kiln has the same facts, Kiln's own lines (exit codes, deposit, deadline and partition) after them.
/// </summary>
internal static class SectorsCommands
{
    /// <summary>What <c>sectors batching … </c> prints when the queue is empty (Lotus prints this for both queues).</summary>
    internal const string NothingQueued = "No sectors queued to be committed";

    internal const string PublishPrompt = "Do you want to publish these sectors now? (yes/no): ";

    public static Command Create(Func<ParseResult, MinerClient> connect)
    {
        var sectors = new Command("sectors", "Manage sectors");
        var pledge = new Command("pledge", "Store random data in a sector (a CC sector)");
        pledge.SetAction(async (parse, ct) =>
        {
            var id = await connect(parse).Kiln.PledgeSectorAsync(ct).ConfigureAwait(false);
            Console.WriteLine($"Created CC sector: {id.Number}");
            return 0;
        });

        var showRemoved = new Option<bool>("--show-removed", "-r") { Description = "show removed sectors" };
        var list = new Command("list", "List sectors") { showRemoved };
        list.SetAction(async (parse, ct) =>
        {
            var client = connect(parse);
            var statuses = new List<SectorStatus>();
            foreach (var n in (await client.Kiln.SectorsListAsync(ct).ConfigureAwait(false)).Order())
            {
                statuses.Add(await client.Kiln.SectorsStatusAsync(n, true, ct).ConfigureAwait(false));
            }

            // Lotus needs the chain head here; without it the expirations show as bare epochs.
            (long Head, ulong BlockDelay)? clock;
            try
            {
                clock = await ClockAsync(client, ct).ConfigureAwait(false);
            }
            catch (Kiln.Api.JsonRpc.RpcException e) when (!e.IsConnectionError)
            {
                await Console.Error.WriteLineAsync($"reading the chain head: {e.Message} (expirations shown as epochs)").ConfigureAwait(false);
                clock = null;
            }

            WriteList(Console.Out, statuses, clock?.Head, clock?.BlockDelay ?? 0, parse.GetValue(showRemoved));
            return 0;
        });

        var number = new Argument<ulong>("sector");
        var onChain = new Option<bool>("--on-chain-info", "-c") { Description = "show sector on chain info" };
        var proof = new Option<bool>("--proof") { Description = "print snark proof bytes as hex" };
        var status = new Command("status", "Get the seal status of a sector by its number") { number, onChain, proof };
        status.SetAction(async (parse, ct) =>
        {
            var client = connect(parse);
            var showOnChain = parse.GetValue(onChain);
            var st = await client.Kiln.SectorsStatusAsync(parse.GetValue(number), showOnChain, ct).ConfigureAwait(false);
            WriteStatus(Console.Out, st, parse.GetValue(proof));
            if (showOnChain)
            {
                var (head, blockDelay) = await ClockAsync(client, ct).ConfigureAwait(false);
                var miner = Kiln.Proofs.Sdr.ProverId.ParseIdAddress(await client.Storage.ActorAddressAsync(ct).ConfigureAwait(false));
                WriteOnChainInfo(Console.Out, st, head, blockDelay, miner);
            }

            return 0;
        });

        var really = new Option<bool>("--really-do-it") { Description = "pass this flag if you know what you are doing" };
        var retry = new Command("retry", "Run the step a Failed sector failed in again (a sectors update-state back to that state)") { number };
        retry.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(number);
            var state = await connect(parse).Kiln.KilnSectorsRetryAsync(n, ct).ConfigureAwait(false);
            Console.WriteLine($"sector {n}: retrying {state}");
            return 0;
        });
        var abort = new Command("abort", "Stop sealing a sector for good (it goes to Removed; its files stay, its number is not reused)") { number, really };
        abort.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(really))
            {
                await Console.Error.WriteLineAsync("sectors abort stops sealing the sector for good: pass --really-do-it if you are sure").ConfigureAwait(false);
                return 1;
            }

            var n = parse.GetValue(number);
            await connect(parse).Kiln.KilnSectorsAbortAsync(n, ct).ConfigureAwait(false);
            Console.WriteLine($"sector {n}: aborted (Removed)");
            return 0;
        });
        var newState = new Argument<string>("newState");
        var update = new Command("update-state", "ADVANCED: manually update the state of a sector, this may aid in error recovery") { number, newState, really };
        update.SetAction(async (parse, ct) =>
        {
            if (!parse.GetValue(really))
            {
                await Console.Error.WriteLineAsync("this is a command for advanced users, only use it if you are sure of what you are doing (--really-do-it)").ConfigureAwait(false);
                return 1;
            }

            await connect(parse).Kiln.SectorsUpdateAsync(parse.GetValue(number), parse.GetValue(newState)!, ct).ConfigureAwait(false);
            return 0;
        });

        sectors.Subcommands.Add(pledge);
        sectors.Subcommands.Add(list);
        sectors.Subcommands.Add(status);
        sectors.Subcommands.Add(Batching(connect));
        sectors.Subcommands.Add(retry);
        sectors.Subcommands.Add(abort);
        sectors.Subcommands.Add(update);
        return sectors;
    }

    private static Command Batching(Func<ParseResult, MinerClient> connect)
    {
        var batching = new Command("batching", "manage batch sector operations");
        var commitNow = new Option<bool>("--publish-now") { Description = "send a batch now" };
        var commit = new Command("commit", "list sectors waiting in commit batch queue") { commitNow };
        commit.SetAction((parse, ct) =>
        {
            var api = connect(parse).Kiln;
            return BatchingAsync(Console.Out, Console.Error, Console.In, api.SectorCommitPendingAsync, c => CommitResultsAsync(api, c), parse.GetValue(commitNow), ct);
        });
        var preCommitNow = new Option<bool>("--publish-now") { Description = "send a batch now" };
        var preCommit = new Command("precommit", "list sectors waiting in precommit batch queue") { preCommitNow };
        preCommit.SetAction((parse, ct) =>
        {
            var api = connect(parse).Kiln;
            return BatchingAsync(Console.Out, Console.Error, Console.In, api.SectorPreCommitPendingAsync, c => PreCommitResultsAsync(api, c), parse.GetValue(preCommitNow), ct);
        });
        batching.Subcommands.Add(commit);
        batching.Subcommands.Add(preCommit);
        return batching;
    }

    private static async Task<IReadOnlyList<CommitBatchRes>?> CommitResultsAsync(IKilnMinerApi api, CancellationToken ct) =>
        await api.SectorCommitFlushAsync(ct).ConfigureAwait(false);

    /// <summary>A pre-commit batch has no per-sector failures: its results print as commit results with none.</summary>
    private static async Task<IReadOnlyList<CommitBatchRes>?> PreCommitResultsAsync(IKilnMinerApi api, CancellationToken ct) =>
        (await api.SectorPreCommitFlushAsync(ct).ConfigureAwait(false))?.Select(r => new CommitBatchRes(r.Sectors, new Dictionary<ulong, string>(), r.Msg, r.Error)).ToList();

    /// <summary>
    /// Lotus sectorsBatchingPendingCommit / …PreCommit: with <paramref name="publishNow"/> flushes and prints each batch;
    /// otherwise lists the pending sector numbers and asks on <paramref name="input"/> whether to publish them now.
    /// Returns the exit code.
    /// </summary>
    internal static async Task<int> BatchingAsync(
        TextWriter output,
        TextWriter error,
        TextReader input,
        Func<CancellationToken, Task<IReadOnlyList<SectorId>>> pending,
        Func<CancellationToken, Task<IReadOnlyList<CommitBatchRes>?>> flush,
        bool publishNow,
        CancellationToken ct)
    {
        if (publishNow)
        {
            var results = await flush(ct).ConfigureAwait(false);
            if (results is null || results.Count == 0)
            {
                await error.WriteLineAsync("no sectors to publish").ConfigureAwait(false);
                return 1;
            }

            WriteBatches(output, results);
            return 0;
        }

        var waiting = await pending(ct).ConfigureAwait(false);
        if (waiting.Count == 0)
        {
            output.WriteLine(NothingQueued);
            return 0;
        }

        foreach (var sector in waiting)
        {
            output.WriteLine(sector.Number.ToString(CultureInfo.InvariantCulture));
        }

        output.Write(PublishPrompt);
        var answer = (await input.ReadLineAsync(ct).ConfigureAwait(false))?.Trim().ToLowerInvariant();
        switch (answer)
        {
            case "yes":
                output.WriteLine();
                return await BatchingAsync(output, error, input, pending, flush, publishNow: true, ct).ConfigureAwait(false);
            case "no":
                output.WriteLine();
                return 0;
            case null:
                // No terminal to answer from (stdin closed): nothing is published.
                output.WriteLine();
                return 0;
            default:
                output.WriteLine();
                output.WriteLine("Invalid input. Please answer with 'yes' or 'no'.");
                return 0;
        }
    }

    /// <summary>Each batch sent: its message or error, and every sector with OK or its own error.</summary>
    internal static void WriteBatches(TextWriter output, IReadOnlyList<CommitBatchRes> results)
    {
        for (var i = 0; i < results.Count; i++)
        {
            var re = results[i];
            output.WriteLine(Invariant($"Batch {i}:"));
            output.WriteLine(re.Error.Length > 0 ? $"\tError: {re.Error}" : $"\tMessage: {NilCid(re.Msg)}");
            output.WriteLine("\tSectors:");
            foreach (var sector in re.Sectors)
            {
                output.WriteLine(re.FailedSectors.TryGetValue(sector, out var e) ? Invariant($"\t\t{sector}\tERROR {e}") : Invariant($"\t\t{sector}\tOK"));
            }
        }
    }

    /// <summary>Lotus <c>sectors status</c> from the miner's own record (without the on-chain block).</summary>
    internal static void WriteStatus(TextWriter output, SectorStatus st, bool showProof)
    {
        output.WriteLine(Invariant($"SectorID:\t{st.SectorID}"));
        output.WriteLine($"Status:\t\t{st.State}");
        output.WriteLine($"CIDcommD:\t{NilCid(st.CommD)}");
        output.WriteLine($"CIDcommR:\t{NilCid(st.CommR)}");
        output.WriteLine($"Ticket:\t\t{Hex(st.Ticket.Value)}");
        output.WriteLine(Invariant($"TicketH:\t{st.Ticket.Epoch}"));
        output.WriteLine($"Seed:\t\t{Hex(st.Seed.Value)}");
        output.WriteLine(Invariant($"SeedH:\t\t{st.Seed.Epoch}"));
        output.WriteLine($"Precommit:\t{NilCid(st.PreCommitMsg)}");
        output.WriteLine($"Commit:\t\t{NilCid(st.CommitMsg)}");
        if (showProof)
        {
            output.WriteLine($"Proof:\t\t{Hex(st.Proof)}");
        }

        output.WriteLine($"Deals:\t\t[{string.Join(' ', (st.Deals ?? []).Select(d => d.ToString(CultureInfo.InvariantCulture)))}]");
        output.WriteLine(Invariant($"Retries:\t{st.Retries}"));
        if (st.LastErr.Length > 0)
        {
            output.WriteLine($"Last Error:\t\t{st.LastErr}");
        }

        output.WriteLine();
        output.WriteLine("Expiration Info");
        output.WriteLine(Invariant($"OnTime:\t\t{st.OnTime}"));
        output.WriteLine(Invariant($"Early:\t\t{st.Early}"));

        // Kiln's: the messages' receipts and where the chain put the sector.
        output.WriteLine();
        output.WriteLine("On Chain State");
        output.WriteLine($"PrecommitExit:\t{NilNumber(st.PreCommitExitCode)}");
        output.WriteLine($"PrecommitDeposit:\t{(st.PreCommitDeposit is { } deposit ? Fil(deposit) : "<nil>")}");
        output.WriteLine($"CommitExit:\t{NilNumber(st.CommitExitCode)}");
        output.WriteLine($"PrecommitExpiration:\t{NilNumber(st.PreCommitExpiration)}");
        output.WriteLine($"ActiveAt:\t{NilNumber(st.ActivationEpoch)}");
        output.WriteLine($"Deadline:\t{NilNumber(st.Deadline)}");
        output.WriteLine($"Partition:\t{NilNumber(st.Partition)}");
        if (st.FailedIn is { } failedIn)
        {
            output.WriteLine($"FailedIn:\t{failedIn}");
        }
    }

    /// <summary>
    /// Lotus's "Sector On Chain Info" block, epochs shown against <paramref name="head"/>; "Sector status not found on
    /// chain" until the chain has activated the sector.
    /// </summary>
    internal static void WriteOnChainInfo(TextWriter output, SectorStatus st, long head, ulong blockDelaySecs, ulong minerId)
    {
        if (st.ActivationEpoch is null)
        {
            output.WriteLine("Sector status not found on chain");
            return;
        }

        output.WriteLine();
        output.WriteLine("Sector On Chain Info");
        output.WriteLine($"SealProof:\t\t{((long)st.SealProof).ToString("x", CultureInfo.InvariantCulture)}");
        output.WriteLine($"Activation:\t\t{EpochTime(head, st.Activation, blockDelaySecs)}");
        output.WriteLine($"Expiration:\t\t{EpochTime(head, st.Expiration, blockDelaySecs)}");
        output.WriteLine(Invariant($"DealWeight:\t\t{st.DealWeight}"));
        output.WriteLine(Invariant($"VerifiedDealWeight:\t\t{st.VerifiedDealWeight}"));
        output.WriteLine($"InitialPledge:\t\t{Fil(st.InitialPledge)}");
        output.WriteLine(Invariant($"SectorID:\t\t{{Miner: {minerId}, Number: {st.SectorID}}}"));
    }

    /// <summary>
    /// Lotus <c>sectors list</c>'s on-chain columns where the record has them (OnChain: proven into the sector set;
    /// Active: proving; Expiration against <paramref name="head"/>, a bare epoch when the head is unknown), Kiln's
    /// deadline and partition, and the CIDs.
    /// </summary>
    internal static void WriteList(TextWriter output, IReadOnlyList<SectorStatus> sectors, long? head, ulong blockDelaySecs, bool showRemoved)
    {
        var rows = sectors
            .Where(s => showRemoved || s.State != nameof(Sealing.SectorState.Removed))
            .Select(st =>
            {
                var onChain = st.ActivationEpoch is not null;
                var active = onChain && st.State is nameof(Sealing.SectorState.Proving) or nameof(Sealing.SectorState.FinalizeSector);
                var expiration = st.OnTime > 0 && st.OnTime < st.Expiration ? st.OnTime : st.Expiration;
                return new[]
                {
                    st.SectorID.ToString(CultureInfo.InvariantCulture),
                    st.State,
                    onChain ? "YES" : "NO",
                    active ? "YES" : "NO",
                    !onChain ? "n/a" : head is { } h ? EpochTime(h, expiration, blockDelaySecs) : expiration.ToString(CultureInfo.InvariantCulture),
                    st.Deadline is { } d ? d.ToString(CultureInfo.InvariantCulture) : "",
                    st.Partition is { } p ? p.ToString(CultureInfo.InvariantCulture) : "",
                    st.CommD.IsDefined ? st.CommD.ToString() : "",
                    st.CommR.IsDefined ? st.CommR.ToString() : "",
                    st.LastErr,
                };
            })
            .ToList();
        Devnet.Devnet.WriteTable(output, ["ID", "State", "OnChain", "Active", "Expiration", "Deadline", "Partition", "CommD", "CommR", "Error"], rows);
    }

    /// <summary>
    /// Lotus cli/util EpochTime: "<c>e</c> (3 hours 20 minutes ago)", "(now)" or "(in …)", the distance in block delays
    /// written as durafmt writes its first two units.
    /// </summary>
    internal static string EpochTime(long head, long epoch, ulong blockDelaySecs)
    {
        if (head == epoch)
        {
            return Invariant($"{epoch} (now)");
        }

        var seconds = (BigInteger)Math.Abs(head - epoch) * blockDelaySecs;
        return head > epoch ? Invariant($"{epoch} ({Durafmt(seconds)} ago)") : Invariant($"{epoch} (in {Durafmt(seconds)})");
    }

    /// <summary>durafmt's String of whole seconds, limited to its first two non-zero units (LimitFirstN(2)).</summary>
    private static string Durafmt(BigInteger seconds)
    {
        (string Unit, long Seconds)[] units = [("year", 365 * 86_400), ("week", 7 * 86_400), ("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1)];
        var parts = new List<string>();
        foreach (var (unit, size) in units)
        {
            var n = seconds / size;
            seconds %= size;
            if (n > 0 && parts.Count < 2)
            {
                parts.Add(Invariant($"{n} {unit}{(n == 1 ? "" : "s")}"));
            }
        }

        return parts.Count == 0 ? "0 seconds" : string.Join(' ', parts);
    }

    /// <summary>Lotus types.FIL String: attoFIL as FIL, trailing zeros cut, "0 FIL" for zero.</summary>
    internal static string Fil(BigInteger atto)
    {
        if (atto.IsZero)
        {
            return "0 FIL";
        }

        var whole = BigInteger.DivRem(BigInteger.Abs(atto), BigInteger.Pow(10, 18), out var fraction);
        var text = new StringBuilder(atto.Sign < 0 ? "-" : "").Append(whole.ToString(CultureInfo.InvariantCulture));
        var digits = fraction.ToString(CultureInfo.InvariantCulture).PadLeft(18, '0').TrimEnd('0');
        if (digits.Length > 0)
        {
            text.Append('.').Append(digits);
        }

        return text.Append(" FIL").ToString();
    }

    /// <summary>The miner's chain head (as its proving clock sees it) and block delay, for epochs shown as times.</summary>
    private static async Task<(long Head, ulong BlockDelay)> ClockAsync(MinerClient client, CancellationToken ct)
    {
        var info = await client.Kiln.KilnProvingInfoAsync(ct).ConfigureAwait(false);
        var version = await client.Storage.VersionAsync(ct).ConfigureAwait(false);
        return (info.CurrentEpoch, version.BlockDelay);
    }

    /// <summary>Go's %s of a *cid.Cid: "&lt;nil&gt;" for nil.</summary>
    private static string NilCid(Cid cid) => cid.IsDefined ? cid.ToString() : "<nil>";

    private static string NilNumber(long? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "<nil>";

    private static string NilNumber(int? value) => value is { } v ? v.ToString(CultureInfo.InvariantCulture) : "<nil>";

    /// <summary>Go's %x of a byte slice: lower-case hex, empty for nil.</summary>
    private static string Hex(byte[]? bytes) => bytes is null ? "" : Convert.ToHexStringLower(bytes);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

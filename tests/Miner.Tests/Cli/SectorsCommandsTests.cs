using System.Numerics;
using System.Text.Json;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Cli;
using Kiln.Miner.Rpc;
using Kiln.Miner.Sealing;
using Kiln.Proofs;

namespace Kiln.Miner.Tests.Cli;

/// <summary>
/// <c>sectors status | list | batching</c> print what Lotus's do (cli/spcli/sectors.go SectorsStatusCmd,
/// cli/miner/sectors.go sectorsListCmd and sectorsBatchingPending*), from the SectorInfo the miner answers for a record.
/// </summary>
public sealed class SectorsCommandsTests
{
    private static readonly CancellationToken None = CancellationToken.None;
    private static readonly Cid CommD = Cid.Parse("baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq");
    private static readonly Cid CommR = Cid.Parse("bagboea4b5abca52cioilg33uvtkzlranby2b6t576gdch7vprlls7zz5osinbvs4");
    private static readonly Cid PreCommitMsg = Cid.Parse("bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4");
    private static readonly Cid CommitMsg = Cid.Parse("bafy2bzaceab5mrohjvnp3mz7mo33ky7qqlmssrs7veqmjrgouafxyhnd5dy66");
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A sector proven and active on chain: every on-chain fact of the record set.</summary>
    private static SectorRecord Active(ulong number = 7) =>
        new(number, SectorState.Proving, RegisteredSealProof.StackedDrg2KiBV1_1, [new PieceInfo(2048, CommD)], [0xab, 0xcd], null, null, T0, T0.AddHours(1))
        {
            Cids = new SectorCids(CommD, CommR),
            TicketEpoch = 4100,
            Seed = [0x01, 0x02],
            SeedEpoch = 5150,
            PoRepProof = [0xee],
            PreCommitMessage = PreCommitMsg,
            PreCommitExitCode = 0,
            PreCommitDeposit = new TokenAmount(BigInteger.Parse("20200000000000000", System.Globalization.CultureInfo.InvariantCulture)),
            CommitMessage = CommitMsg,
            CommitExitCode = 0,
            Expiration = 5300 + 1_555_200,
            ActivationEpoch = 5180,
            Deadline = 3,
            Partition = 1,
        };

    private static string[] Lines(StringWriter output) => output.ToString().ReplaceLineEndings("\n").Split('\n');

    [Fact]
    public void Status_prints_lotus_labels_then_the_messages_exit_codes_and_placement()
    {
        var output = new StringWriter();

        SectorsCommands.WriteStatus(output, KilnMinerApi.Status(Active(), showOnChainInfo: false), showProof: false);

        Assert.Equal(
            [
                "SectorID:\t7",
                "Status:\t\tProving",
                $"CIDcommD:\t{CommD}",
                $"CIDcommR:\t{CommR}",
                "Ticket:\t\tabcd",
                "TicketH:\t4100",
                "Seed:\t\t0102",
                "SeedH:\t\t5150",
                $"Precommit:\t{PreCommitMsg}",
                $"Commit:\t\t{CommitMsg}",
                "Deals:\t\t[]",
                "Retries:\t0",
                "",
                "Expiration Info",
                "OnTime:\t\t0",
                "Early:\t\t0",
                "",
                "On Chain State",
                "PrecommitExit:\t0",
                "PrecommitDeposit:\t0.0202 FIL",
                "CommitExit:\t0",
                "PrecommitExpiration:\t1560500",
                "ActiveAt:\t5180",
                "Deadline:\t3",
                "Partition:\t1",
                "",
            ],
            Lines(output));
    }

    [Fact]
    public void A_failed_precommit_shows_nil_where_nothing_landed_the_exit_code_the_error_and_the_retries()
    {
        var failed = new SectorRecord(9, SectorState.PreCommitFailed, RegisteredSealProof.StackedDrg2KiBV1_1, [], [0x01], null, "sector 9: pre-commit message exited SysErrInsufficientFunds(6)", T0, T0)
        {
            TicketEpoch = 4100,
            PreCommitMessage = PreCommitMsg,
            PreCommitExitCode = 6,
            Retries = 2,
        };
        var output = new StringWriter();

        SectorsCommands.WriteStatus(output, KilnMinerApi.Status(failed, showOnChainInfo: true), showProof: true);

        var lines = Lines(output);
        Assert.Contains("Status:\t\tPreCommitFailed", lines);
        Assert.Contains("CIDcommR:\t<nil>", lines);
        Assert.Contains("Seed:\t\t", lines);
        Assert.Contains("Commit:\t\t<nil>", lines);
        Assert.Contains("Proof:\t\t", lines);
        Assert.Contains("Retries:\t2", lines);
        Assert.Contains("Last Error:\t\tsector 9: pre-commit message exited SysErrInsufficientFunds(6)", lines);
        Assert.Contains("PrecommitExit:\t6", lines);
        Assert.Contains("CommitExit:\t<nil>", lines);
        Assert.Contains("Deadline:\t<nil>", lines);

        var onChain = new StringWriter();
        SectorsCommands.WriteOnChainInfo(onChain, KilnMinerApi.Status(failed, showOnChainInfo: true), 5300, 30, 1000);
        Assert.Equal("Sector status not found on chain\n", onChain.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void On_chain_info_prints_lotus_block_with_epochs_against_the_head()
    {
        var output = new StringWriter();

        SectorsCommands.WriteOnChainInfo(output, KilnMinerApi.Status(Active(), showOnChainInfo: true), 5300, 30, 1000);

        Assert.Equal(
            [
                "",
                "Sector On Chain Info",
                "SealProof:\t\t5",
                "Activation:\t\t5180 (1 hour ago)",
                "Expiration:\t\t1560500 (in 1 year 25 weeks)",
                "DealWeight:\t\t0",
                "VerifiedDealWeight:\t\t0",
                "InitialPledge:\t\t0 FIL",
                "SectorID:\t\t{Miner: 1000, Number: 7}",
                "",
            ],
            Lines(output));
    }

    [Fact]
    public void The_status_answer_has_lotus_sector_info_json_and_the_on_chain_part_only_when_asked()
    {
        var without = KilnMinerApi.Status(Active(), showOnChainInfo: false);
        var with = KilnMinerApi.Status(Active(), showOnChainInfo: true);

        Assert.Equal((0L, 0L, 5180L), (without.Activation, without.Expiration, without.ActivationEpoch!.Value));
        Assert.Equal((5180L, 1560500L, RegisteredSealProof.StackedDrg2KiBV1_1), (with.Activation, with.Expiration, with.SealProof));

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(with, ApiJson.Options));
        var root = json.RootElement;
        Assert.Equal(PreCommitMsg.ToString(), root.GetProperty("PreCommitMsg").GetProperty("/").GetString());
        Assert.Equal(CommitMsg.ToString(), root.GetProperty("CommitMsg").GetProperty("/").GetString());
        Assert.Equal("""{"Value":"q80=","Epoch":4100}""", root.GetProperty("Ticket").GetRawText());
        Assert.Equal("""{"Value":"AQI=","Epoch":5150}""", root.GetProperty("Seed").GetRawText());
        Assert.Equal("""[{"Piece":{"Size":2048,"PieceCID":{"/":"baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq"}},"DealInfo":null}]""", root.GetProperty("Pieces").GetRawText());
        Assert.Equal(5, root.GetProperty("SealProof").GetInt64());
        Assert.Equal("0", root.GetProperty("InitialPledge").GetString());
        Assert.Equal("20200000000000000", root.GetProperty("PreCommitDeposit").GetString());
        Assert.Equal((0, 3, 1), (root.GetProperty("Retries").GetInt32(), root.GetProperty("Deadline").GetInt32(), root.GetProperty("Partition").GetInt32()));
        Assert.Equal(JsonValueKind.Null, root.GetProperty("ReplicaUpdateMessage").ValueKind);
    }

    [Fact]
    public void List_shows_on_chain_active_expiration_and_deadline_and_hides_removed_sectors_unless_asked()
    {
        var sealing = new SectorRecord(8, SectorState.PreCommitBatchWait, RegisteredSealProof.StackedDrg2KiBV1_1, [], null, null, null, T0, T0) { PreCommitMessage = PreCommitMsg };
        var removed = new SectorRecord(10, SectorState.Removed, RegisteredSealProof.StackedDrg2KiBV1_1, [], null, null, null, T0, T0);
        SectorStatus[] statuses = [KilnMinerApi.Status(Active(), true), KilnMinerApi.Status(sealing, true), KilnMinerApi.Status(removed, true)];
        var output = new StringWriter();

        SectorsCommands.WriteList(output, statuses, 5300, 30, showRemoved: false);

        var lines = Lines(output);
        Assert.Equal(["ID", "State", "OnChain", "Active", "Expiration", "Deadline", "Partition", "CommD", "CommR", "Error"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["7", "Proving", "YES", "YES", "1560500", "(in", "1", "year", "25", "weeks)", "3", "1", CommD.ToString(), CommR.ToString()], lines[1].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["8", "PreCommitBatchWait", "NO", "NO", "n/a"], lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("", lines[3]);

        var all = new StringWriter();
        SectorsCommands.WriteList(all, statuses, 5300, 30, showRemoved: true);
        Assert.StartsWith("10  Removed", Lines(all)[3], StringComparison.Ordinal);

        var headless = new StringWriter();
        SectorsCommands.WriteList(headless, statuses, null, 0, showRemoved: false);
        Assert.Equal(["7", "Proving", "YES", "YES", "1560500", "3", "1"], Lines(headless)[1].Split(' ', StringSplitOptions.RemoveEmptyEntries)[..7]);
    }

    [Theory]
    [InlineData(100, 100, "100 (now)")]
    [InlineData(100, 98, "98 (1 minute ago)")]
    [InlineData(100, 103, "103 (in 1 minute 30 seconds)")]
    [InlineData(0, 2880 * 2 + 121, "5881 (in 2 days 1 hour)")]
    public void Epoch_time_is_written_as_lotus_writes_it(long head, long epoch, string expected) =>
        Assert.Equal(expected, SectorsCommands.EpochTime(head, epoch, 30));

    [Theory]
    [InlineData("0", "0 FIL")]
    [InlineData("1000000000000000000", "1 FIL")]
    [InlineData("20200000000000000", "0.0202 FIL")]
    [InlineData("1", "0.000000000000000001 FIL")]
    [InlineData("-1500000000000000000", "-1.5 FIL")]
    public void Fil_amounts_are_written_as_lotus_types_fil(string atto, string expected) =>
        Assert.Equal(expected, SectorsCommands.Fil(BigInteger.Parse(atto, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public async Task Batching_lists_the_pending_sectors_and_publishes_them_when_the_operator_says_yes()
    {
        var flushed = 0;
        IReadOnlyList<SectorId> pending = [new(1000, 5), new(1000, 7)];
        var output = new StringWriter();

        var code = await SectorsCommands.BatchingAsync(
            output,
            TextWriter.Null,
            new StringReader("yes\n"),
            _ => Task.FromResult(pending),
            _ =>
            {
                flushed++;
                return Task.FromResult<IReadOnlyList<CommitBatchRes>?>([new CommitBatchRes([5, 7], new Dictionary<ulong, string>(), PreCommitMsg, "")]);
            },
            publishNow: false,
            None);

        Assert.Equal((0, 1), (code, flushed));
        Assert.Equal($"5\n7\n{SectorsCommands.PublishPrompt}\nBatch 0:\n\tMessage: {PreCommitMsg}\n\tSectors:\n\t\t5\tOK\n\t\t7\tOK\n", output.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Batching_with_no_answer_publishes_nothing_and_an_empty_queue_says_so()
    {
        var flushed = 0;
        Task<IReadOnlyList<CommitBatchRes>?> Flush(CancellationToken ct)
        {
            flushed++;
            return Task.FromResult<IReadOnlyList<CommitBatchRes>?>(null);
        }

        var declined = new StringWriter();
        Assert.Equal(0, await SectorsCommands.BatchingAsync(declined, TextWriter.Null, new StringReader("no\n"), _ => Task.FromResult<IReadOnlyList<SectorId>>([new(1000, 5)]), Flush, false, None));
        Assert.Equal($"5\n{SectorsCommands.PublishPrompt}\n", declined.ToString().ReplaceLineEndings("\n"));

        var empty = new StringWriter();
        Assert.Equal(0, await SectorsCommands.BatchingAsync(empty, TextWriter.Null, TextReader.Null, _ => Task.FromResult<IReadOnlyList<SectorId>>([]), Flush, false, None));
        Assert.Equal(SectorsCommands.NothingQueued + "\n", empty.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(0, flushed);

        var error = new StringWriter();
        Assert.Equal(1, await SectorsCommands.BatchingAsync(TextWriter.Null, error, TextReader.Null, _ => Task.FromResult<IReadOnlyList<SectorId>>([]), Flush, true, None));
        Assert.Equal("no sectors to publish\n", error.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(1, flushed);
    }
}

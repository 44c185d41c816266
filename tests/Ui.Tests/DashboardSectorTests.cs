using System.Text.Json;
using Kiln.Api.Chain;
using Kiln.Api.Types;
using Kiln.Miner.Sealing;
using Kiln.Miner.Ui;
using Kiln.Proofs;

namespace Kiln.Ui.Tests;

/// <summary>A sector row of the dashboard snapshot carries the record's on-chain state and failure, named as the page reads them.</summary>
public sealed class DashboardSectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Cid PreCommitMsg = Cid.Parse("bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4");
    private static readonly Cid CommitMsg = Cid.Parse("bafy2bzaceab5mrohjvnp3mz7mo33ky7qqlmssrs7veqmjrgouafxyhnd5dy66");

    [Fact]
    public void An_active_sector_row_has_its_messages_exit_codes_activation_and_placement()
    {
        var record = new SectorRecord(7, SectorState.Proving, RegisteredSealProof.StackedDrg2KiBV1_1, [], null, null, null, T0, T0.AddHours(2))
        {
            TicketEpoch = 4100,
            PreCommitMessage = PreCommitMsg,
            PreCommitExitCode = 0,
            CommitMessage = CommitMsg,
            CommitExitCode = 0,
            ActivationEpoch = 5180,
            Expiration = 1_560_500,
            Deadline = 3,
            Partition = 1,
        };

        using var json = JsonDocument.Parse(JsonSerializer.Serialize(DashboardSector.From(record), ApiJson.Options));
        var row = json.RootElement;

        Assert.Equal((7UL, "Proving", 4100L), (row.GetProperty("Number").GetUInt64(), row.GetProperty("State").GetString(), row.GetProperty("TicketEpoch").GetInt64()));
        Assert.Equal((PreCommitMsg.ToString(), 0L), (row.GetProperty("PreCommitMessage").GetString(), row.GetProperty("PreCommitExitCode").GetInt64()));
        Assert.Equal((CommitMsg.ToString(), 0L), (row.GetProperty("CommitMessage").GetString(), row.GetProperty("CommitExitCode").GetInt64()));
        Assert.Equal((5180L, 1_560_500L), (row.GetProperty("ActivationEpoch").GetInt64(), row.GetProperty("Expiration").GetInt64()));
        Assert.Equal((3, 1), (row.GetProperty("Deadline").GetInt32(), row.GetProperty("Partition").GetInt32()));
        Assert.Equal(JsonValueKind.Null, row.GetProperty("Error").ValueKind);
    }

    [Fact]
    public void A_failed_sector_row_has_its_reason_the_state_it_failed_in_and_its_retries()
    {
        var record = new SectorRecord(9, SectorState.Failed, RegisteredSealProof.StackedDrg2KiBV1_1, [], null, null, "sector 9: prove-commit exited ErrIllegalArgument(16)", T0, T0)
        {
            PreCommitMessage = PreCommitMsg,
            PreCommitExitCode = 0,
            CommitMessage = CommitMsg,
            CommitExitCode = ExitCodes.ErrIllegalArgument,
            FailedIn = SectorState.CommitFailed,
            Retries = 3,
        };

        var row = DashboardSector.From(record);

        Assert.Equal(("Failed", "sector 9: prove-commit exited ErrIllegalArgument(16)", "CommitFailed", 3), (row.State, row.Error, row.FailedIn, row.Retries));
        Assert.Equal((16L, (long?)null, (int?)null), (row.CommitExitCode!.Value, row.ActivationEpoch, row.Deadline));
    }
}

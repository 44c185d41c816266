using Kiln.Api.Types;
using Kiln.Stores.Sqlite;
using Kiln.Worker.Calls;

namespace Kiln.Worker.Tests.Calls;

/// <summary>
/// Regression on the worker: a zero-length or malformed <c>calls.sqlite</c> used to become an empty tracker,
/// forgetting results the miner had not taken. Now opening it fails with the file named and the file left as it was.
/// </summary>
public sealed class CallTrackerCheckTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kiln-calls-").FullName;

    private string File1 => Path.Combine(_dir, "calls.sqlite");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_zero_length_tracker_is_refused_with_its_name()
    {
        await File.WriteAllBytesAsync(File1, []);

        var e = await Assert.ThrowsAsync<DatabaseDamagedException>(() => CallTracker.OpenAsync(File1, CancellationToken.None));

        Assert.Equal(File1, e.Path);
        Assert.Contains(File1 + " is damaged: file is empty (0 bytes)", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(File1).Length);
    }

    [Fact]
    public async Task A_malformed_tracker_is_refused_and_left_as_it_was()
    {
        var garbage = "this is not a database, it is a text file the operator copied over calls.sqlite\n"u8.ToArray();
        await File.WriteAllBytesAsync(File1, garbage);

        var e = await Assert.ThrowsAsync<DatabaseDamagedException>(() => CallTracker.OpenAsync(File1, CancellationToken.None));

        Assert.Contains("not a SQLite database", e.Cause, StringComparison.Ordinal);
        Assert.Equal(garbage, await File.ReadAllBytesAsync(File1));
    }

    [Fact]
    public async Task The_backup_keeps_the_calls_and_the_hint_restores_it()
    {
        var id = new CallId(new SectorId(1000, 7), Guid.NewGuid());
        await using (var tracker = await CallTracker.OpenAsync(File1, CancellationToken.None))
        {
            await tracker.StartedAsync(id, ReturnType.SealPreCommit1, CancellationToken.None);
            await tracker.DoneAsync(id, "\"AQI=\"", null, CancellationToken.None);
            Assert.True(await tracker.BackupAsync(CancellationToken.None));
        }

        await File.WriteAllBytesAsync(File1, []);
        var e = await Assert.ThrowsAsync<DatabaseDamagedException>(() => CallTracker.OpenAsync(File1, CancellationToken.None));
        Assert.Contains(CallTracker.RestoreHint(File1), e.Message, StringComparison.Ordinal);

        File.Move(File1, File1 + ".damaged");
        File.Copy(File1 + ".bak", File1);
        await using (var tracker = await CallTracker.OpenAsync(File1, CancellationToken.None))
        {
            var call = Assert.Single(await tracker.ListAsync(CancellationToken.None));
            Assert.Equal((id, ReturnType.SealPreCommit1, true, "\"AQI=\""), (call.Id, call.ReturnType, call.Done, call.ResultJson));
        }
    }
}

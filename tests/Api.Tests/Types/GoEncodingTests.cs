using System.Numerics;
using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Tests.Types;

/// <summary>
/// Go's encoding/json forms of Lotus's API types (storiface storage.go <c>SectorCids</c>, worker.go <c>CallError</c> and
/// <c>WindowPoStResult</c>, go-state-types big ints) and the Return/PoSt payloads worker_local.go sends.
/// </summary>
public sealed class GoEncodingTests
{
    private static string Json<T>(T value) => JsonSerializer.Serialize(value, ApiJson.Options);

    private static T Read<T>(string json) => JsonSerializer.Deserialize<T>(json, ApiJson.Options)!;

    [Fact]
    public void Failed_return_sends_zero_results_and_the_error()
    {
        Assert.Equal("""{"Unsealed":null,"Sealed":null}""", Json(default(SectorCids)));
        Assert.Equal("""{"Size":0,"PieceCID":null}""", Json(default(PieceInfo)));
        Assert.Equal("null", Json<byte[]?>(null));
        Assert.Equal("null", Json<CallError?>(null));
        Assert.Equal(
            """{"Code":101,"Message":"worker [name: worker1] restarted"}""",
            Json(new CallError(CallError.ErrTempWorkerRestart, "worker [name: worker1] restarted")));
        Assert.Equal(default, Read<SectorCids>("""{"Unsealed":null,"Sealed":null}"""));
    }

    [Fact]
    public void Successful_precommit2_return_carries_both_commitments()
    {
        var cids = new SectorCids(
            Cid.Parse("baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq"),
            Cid.Parse("bagboea4b5abcamxmh7exq7vrvacvajooxrnjxmmf7eqzwyrw4ejpdvz7ozyqz4xl"));
        var json = Json(cids);
        Assert.Equal(
            """{"Unsealed":{"/":"baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq"},"Sealed":{"/":"bagboea4b5abcamxmh7exq7vrvacvajooxrnjxmmf7eqzwyrw4ejpdvz7ozyqz4xl"}}""",
            json);
        Assert.Equal(cids, Read<SectorCids>(json));
    }

    [Fact]
    public void Window_post_with_skipped_sectors_is_not_an_error()
    {
        var result = new WindowPoStResult(new PoStProof(RegisteredPoStProof.StackedDrgWinning2KiBV1, null), [new SectorId(1000, 9)]);
        Assert.Equal("""{"PoStProofs":{"PoStProof":0,"ProofBytes":null},"Skipped":[{"Miner":1000,"Number":9}]}""", Json(result));
        Assert.Equal("""{"PoStProofs":{"PoStProof":13,"ProofBytes":"AQI="},"Skipped":null}""", Json(new WindowPoStResult(new PoStProof(RegisteredPoStProof.StackedDrgWindow32GiBV1_1, [1, 2]), null)));
    }

    [Fact]
    public void Kiln_timings_ride_along_a_window_post_result_and_a_lotus_answer_reads_without_them()
    {
        var timed = new WindowPoStResult(new PoStProof(RegisteredPoStProof.StackedDrgWindow2KiBV1_1, [7]), null, new PoStTimings(1500, 250, 2));
        var json = Json(timed);
        Assert.Equal("""{"PoStProofs":{"PoStProof":10,"ProofBytes":"Bw=="},"Skipped":null,"KilnTimings":{"VanillaMicros":1500,"SnarkMicros":250,"VanillasRead":2}}""", json);
        Assert.Equal(new PoStTimings(1500, 250, 2), Read<WindowPoStResult>(json).KilnTimings);
        Assert.Null(Read<WindowPoStResult>("""{"PoStProofs":{"PoStProof":10,"ProofBytes":"Bw=="},"Skipped":null}""").KilnTimings);
    }

    [Fact]
    public void Byte_arrays_are_padded_base64_with_plus_and_slash_unescaped()
    {
        byte[] bytes = [0xfb, 0xff, 0xbf];
        Assert.Equal("\"+/+/\"", Json(bytes));
        Assert.Equal(bytes, Read<byte[]>("\"+/+/\""));
        Assert.Equal("\"\"", Json(Array.Empty<byte>()));
    }

    [Fact]
    public void Call_id_string_form_round_trips()
    {
        var id = new CallId(new SectorId(1000, 9), Guid.Parse("07070707-0707-0707-0707-070707070707"));
        Assert.Equal("1000-9-07070707-0707-0707-0707-070707070707", id.ToString());
        Assert.Equal(id, CallId.Parse(id.ToString()));
        Assert.Equal("0-0-00000000-0000-0000-0000-000000000000", CallId.Undef.ToString());
        Assert.Equal("""{"Sector":{"Miner":0,"Number":0},"ID":"00000000-0000-0000-0000-000000000000"}""", Json(CallId.Undef));
    }

    [Fact]
    public void Sector_names_use_a_literal_t0()
    {
        Assert.Equal("s-t01000-9", new SectorId(1000, 9).ToSectorName());
        Assert.Equal(new SectorId(1000, 12345), SectorId.ParseSectorName("s-t01000-12345"));
    }

    [Fact]
    public void Time_is_rfc3339_with_trimmed_fraction()
    {
        Assert.Equal("\"2020-11-12T09:22:07Z\"", Json(new DateTimeOffset(2020, 11, 12, 9, 22, 7, TimeSpan.Zero)));
        Assert.Equal("\"2020-11-12T09:22:07.5Z\"", Json(new DateTimeOffset(2020, 11, 12, 9, 22, 7, 500, TimeSpan.Zero)));
        Assert.Equal("\"2020-11-12T09:22:07.1234567+02:00\"", Json(new DateTimeOffset(2020, 11, 12, 9, 22, 7, TimeSpan.FromHours(2)).AddTicks(1234567)));
        Assert.Equal(new DateTimeOffset(2020, 11, 12, 9, 22, 7, 123, TimeSpan.Zero).AddTicks(4567), Read<DateTimeOffset>("\"2020-11-12T09:22:07.1234567Z\""));
        Assert.Equal(TimeSpan.FromHours(2), Read<DateTimeOffset>("\"2020-11-12T09:22:07+02:00\"").Offset);
    }

    [Fact]
    public void Duration_is_nanoseconds()
    {
        Assert.Equal("1500000000", Json(TimeSpan.FromSeconds(1.5)));
        Assert.Equal(TimeSpan.FromMinutes(10), Read<TimeSpan>("600000000000"));
    }

    [Fact]
    public void Big_ints_are_decimal_strings()
    {
        var big = BigInteger.Parse("123456789012345678901234567890", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("\"123456789012345678901234567890\"", Json(big));
        Assert.Equal(-big, Read<BigInteger>("\"-123456789012345678901234567890\""));
    }

    [Fact]
    public void Integer_keyed_maps_sort_keys_as_strings_like_go()
    {
        var map = new Dictionary<ulong, string> { [2] = "b", [10] = "a", [1] = "c" };
        Assert.Equal("""{"1":"c","10":"a","2":"b"}""", Json<IReadOnlyDictionary<ulong, string>>(map));
        Assert.Equal("""{"4":1,"8":2}""", Json(new Dictionary<SectorFileType, int> { [SectorFileType.Update] = 2, [SectorFileType.Cache] = 1 }));
        Assert.Equal("null", Json<IReadOnlyDictionary<StorageId, string>?>(null));
    }

    [Fact]
    public void Task_sets_are_objects_of_empty_objects()
    {
        IReadOnlySet<TaskType> set = new HashSet<TaskType> { TaskType.PreCommit1, TaskType.AddPiece, TaskType.Fetch };
        var json = Json(set);
        Assert.Equal("""{"seal/v0/addpiece":{},"seal/v0/fetch":{},"seal/v0/precommit/1":{}}""", json);
        Assert.True(set.SetEquals(Read<IReadOnlySet<TaskType>>(json)));
        Assert.Null(Read<IReadOnlySet<TaskType>?>("null"));
    }

    [Fact]
    public void Worker_job_omits_an_empty_hostname()
    {
        var job = new WorkerJob(CallId.Undef, new SectorId(1000, 1), TaskType.Fetch, -1, new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero));
        Assert.Equal(
            """{"ID":{"Sector":{"Miner":0,"Number":0},"ID":"00000000-0000-0000-0000-000000000000"},"Sector":{"Miner":1000,"Number":1},"Task":"seal/v0/fetch","RunWait":-1,"Start":"2024-01-02T03:04:05Z"}""",
            Json(job));
        Assert.Equal(Json(job), Json(job with { Hostname = "" }));
    }

    [Fact]
    public void Decl_is_flat_and_field_names_match_case_insensitively_like_go()
    {
        var decl = Decl.Of(new SectorId(1000, 100), SectorFileType.Sealed);
        Assert.Equal("""{"Miner":1000,"Number":100,"SectorFileType":2}""", Json(decl));
        Assert.Equal(decl, Read<Decl>("""{"miner":1000,"NUMBER":100,"sectorFileType":2}"""));
        Assert.Equal(new SectorId(1000, 100), decl.Sector);
    }

    [Fact]
    public void Redeclare_all_sends_a_null_id()
    {
        Assert.Equal("null", Json<StorageId?>(null));
        Assert.Null(Read<StorageId?>("null"));
        Assert.Equal("a.b", StorageId.JoinList([new("a"), new("b")]));
        Assert.Equal([new StorageId("a"), new StorageId("b")], StorageId.SplitList("a.b"));
        Assert.Empty(StorageId.SplitList(""));
    }
}

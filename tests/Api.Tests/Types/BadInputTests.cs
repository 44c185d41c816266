using System.Text.Json;
using Kiln.Api.Types;
using Kiln.Proofs;

namespace Kiln.Api.Tests.Types;

/// <summary>Input Lotus would not send fails with a message that names what was wrong.</summary>
public sealed class BadInputTests
{
    [Theory]
    [InlineData("\"seal/v0/\"", "unknown task type 'seal/v0/'")]
    [InlineData("\"PC1\"", "unknown task type 'PC1'")]
    [InlineData("\"\"", "unknown task type ''")]
    [InlineData("5", "task type must be a string")]
    public void Unknown_task_type_fails(string json, string message)
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<TaskType>(json, ApiJson.Options));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Malformed_task_type_as_a_set_key_fails()
    {
        var e = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<IReadOnlySet<TaskType>>("""{"seal/v0/precommit/2":{},"Seal V9":{}}""", ApiJson.Options));
        Assert.Contains("unknown task type 'Seal V9'", e.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => TaskTypes.Parse("seal/v9/x"));
    }

    /// <summary>
    /// Lotus's sealtasks.TaskType is a string: a newer lotus-worker's id (map[TaskType]struct{} key) decodes, keeps its
    /// id through a round trip and is never one of the known types.
    /// </summary>
    [Fact]
    public void A_newer_lotus_task_type_id_round_trips_as_an_unknown_type()
    {
        var set = JsonSerializer.Deserialize<IReadOnlySet<TaskType>>("""{"seal/v0/precommit/2":{},"seal/v9/x":{}}""", ApiJson.Options)!;
        Assert.Equal(2, set.Count);
        var unknown = Assert.Single(set, t => t != TaskType.PreCommit2);
        Assert.False(TaskTypes.IsKnown(unknown));
        Assert.Equal("seal/v9/x", TaskTypes.Id(unknown));
        Assert.Equal(unknown, TaskTypes.FromWire("seal/v9/x"));
        Assert.Equal("""{"seal/v0/precommit/2":{},"seal/v9/x":{}}""", JsonSerializer.Serialize(set, ApiJson.Options));
        Assert.False(TaskTypes.TryParse("seal/v9/x", out _));
    }

    [Fact]
    public void Set_entries_must_be_empty_objects()
    {
        var e = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<IReadOnlySet<TaskType>>("""{"seal/v0/precommit/2":true}""", ApiJson.Options));
        Assert.Contains("must have the value {}", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("1000-9")]
    [InlineData("1000-9-")]
    [InlineData("x-9-07070707-0707-0707-0707-070707070707")]
    [InlineData("1000--07070707-0707-0707-0707-070707070707")]
    [InlineData("-1000-9-07070707-0707-0707-0707-070707070707")]
    [InlineData("1000-9-not-a-uuid")]
    [InlineData("1000-9-{07070707-0707-0707-0707-070707070707}")]
    public void Bad_call_id_strings_fail(string text)
    {
        Assert.False(CallId.TryParse(text, out _));
        var e = Assert.Throws<FormatException>(() => CallId.Parse(text));
        Assert.Contains("expected <miner>-<number>-<uuid>", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4\"", "cid must be an object")]
    [InlineData("""{"cid":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"}""", "got key 'cid'")]
    [InlineData("""{"/":5}""", "got key '/' with Number")]
    [InlineData("""{}""", "no \"/\" key")]
    [InlineData("""{"/":""}""", "invalid cid '': empty")]
    [InlineData("""{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v!"}""", "not base32")]
    [InlineData("""{"/":"x1234567890"}""", "unsupported multibase prefix 'x'")]
    [InlineData("[]", "cid must be an object")]
    public void Wrong_cid_shapes_fail(string json, string message)
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Cid>(json, ApiJson.Options));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wrong_cid_inside_a_struct_fails()
    {
        Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<PieceInfo>("""{"Size":2048,"PieceCID":"baga6ea4seaq"}""", ApiJson.Options));
    }

    [Theory]
    [InlineData("\"Sealing\"", "unknown PathType 'Sealing', expected one of \"sealing\", \"storage\"")]
    [InlineData("0", "PathType must be a string")]
    public void Path_type_is_an_exact_string(string json, string message)
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<PathType>(json, ApiJson.Options));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Acquire_mode_is_an_exact_string()
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<AcquireMode>("\"mv\"", ApiJson.Options));
        Assert.Contains("unknown AcquireMode 'mv'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Integer_map_keys_must_be_decimal()
    {
        var e = Assert.Throws<JsonException>(() =>
            JsonSerializer.Deserialize<IReadOnlyDictionary<SectorFileType, SectorLocation>>(
                """{"sealed":{"Local":false,"URL":"u","Headers":null}}""", ApiJson.Options));
        Assert.Contains("SectorFileType map key must be a decimal integer, got 'sealed'", e.Message, StringComparison.Ordinal);

        e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<IReadOnlyDictionary<ulong, string>>("""{"-1":"x"}""", ApiJson.Options));
        Assert.Contains("map key '-1' must be an unsigned decimal integer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_proof_is_a_number_not_a_name()
    {
        var e = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<RegisteredSealProof>("\"StackedDrg32GiBV1_1\"", ApiJson.Options));
        Assert.Contains("RegisteredSealProof must be an integer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Byte_arrays_need_padded_base64()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<byte[]>("\"Bw\"", ApiJson.Options));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<byte[]>("\"Bw-=\"", ApiJson.Options));
    }

    [Theory]
    [InlineData("s-t01000")]
    [InlineData("s-f01000-9")]
    [InlineData("s-t0x-9")]
    [InlineData("s-t01000-")]
    public void Bad_sector_names_fail(string name)
    {
        Assert.False(SectorId.TryParseSectorName(name, out _));
        Assert.Throws<FormatException>(() => SectorId.ParseSectorName(name));
    }

    [Fact]
    public void Unknown_sector_file_type_name_fails()
    {
        var e = Assert.Throws<FormatException>(() => SectorFileTypes.Parse("Sealed"));
        Assert.Equal("unknown sector file type 'Sealed'", e.Message);
    }
}

using System.Text;
using Akka.Actor;
using Akka.TestKit.Xunit2;
using Workers.Actors.Persistence;
using Xunit;

namespace Workers.Actors.Tests.Persistence;

public sealed class JobStoreSerializerSpecs() : TestKit(WorkersConfiguration.Manager, "serializer-spec")
{
    private static readonly StoredJob Job = new()
    {
        Id = "job-1",
        PluginId = "whisper",
        Sequence = 41,
        CreatedAt = new DateTimeOffset(2026, 11, 28, 6, 0, 0, TimeSpan.Zero),
        Status = JobStatus.Running,
        ParametersJson = """{"audio":"a.wav"}""",
        Stream = true,
        Priority = 5,
        Timeout = TimeSpan.FromSeconds(90),
        Metadata = new Dictionary<string, string> { ["owner"] = "ana" },
        StartedAt = new DateTimeOffset(2026, 11, 28, 6, 0, 1, TimeSpan.Zero),
        WorkerId = "worker-2",
        WorkerPid = 4242,
    };

    public static TheoryData<string> Records() => ["accepted", "started", "ended", "removed", "batch", "snapshot"];

    [Theory]
    [MemberData(nameof(Records))]
    public void Should_round_trip_every_record_through_the_serializer_the_manager_configuration_binds(string manifest)
    {
        IJobStoreRecord record = manifest switch
        {
            "accepted" => new JobAcceptedRecord(Job),
            "started" => new JobStartedRecord("job-1", "worker-2", 4242, Job.StartedAt!.Value),
            "ended" => new JobEndedRecord("job-1", JobStatus.Completed, Job.StartedAt!.Value.AddSeconds(3), """{"text":"hi"}""", null),
            "removed" => new JobsRemovedRecord(["job-1", "job-2"]),
            "batch" => new JobStoreBatch([new JobAcceptedRecord(Job), new JobEndedRecord("job-1", JobStatus.Failed, Job.StartedAt!.Value, null, "broken") { WorkerPid = 4242 }, new JobsRemovedRecord(["job-1"])]),
            _ => new JobStoreSnapshot([Job, Job with { Id = "job-2", Status = JobStatus.Failed, Error = "broken" }], 43),
        };
        var serializer = Sys.Serialization.FindSerializerFor(record);
        Assert.IsType<JobStoreSerializer>(serializer);

        var bytes = serializer.ToBinary(record);
        var back = ((JobStoreSerializer)serializer).FromBinary(bytes, ((JobStoreSerializer)serializer).Manifest(record));

        Assert.Equal(record.GetType(), back.GetType());
        Assert.Equal(Encoding.UTF8.GetString(bytes), Encoding.UTF8.GetString(serializer.ToBinary(back)));
    }

    [Fact]
    public void Should_write_readable_json_with_status_names()
    {
        var serializer = (JobStoreSerializer)Sys.Serialization.FindSerializerFor(new JobAcceptedRecord(Job));

        var json = Encoding.UTF8.GetString(serializer.ToBinary(new JobAcceptedRecord(Job)));

        Assert.Contains("\"Status\":\"Running\"", json);
        // The parameters as the JSON they are, not as an escaped string.
        Assert.Contains("\"ParametersJson\":{\"audio\":\"a.wav\"}", json);
    }

    [Fact]
    public void Should_write_a_result_as_json_and_read_it_back_as_the_same_text()
    {
        var serializer = (JobStoreSerializer)Sys.Serialization.FindSerializerFor(new JobStoreBatch([]));
        const string result = """{"text":"say \"hi\"","words":[1,2.5,null],"nested":{"ok":true}}""";
        var ended = new JobEndedRecord("job-1", JobStatus.Completed, Job.StartedAt!.Value.AddSeconds(3), result, null);

        var bytes = serializer.ToBinary(ended);
        var back = (JobEndedRecord)serializer.FromBinary(bytes, "ended");

        Assert.Contains("\"ResultJson\":" + result, Encoding.UTF8.GetString(bytes));
        Assert.Equal(result, back.ResultJson);
    }

    [Fact]
    public void Should_read_parameters_and_results_written_as_strings_by_earlier_versions()
    {
        var serializer = (JobStoreSerializer)Sys.Serialization.FindSerializerFor(new JobStoreBatch([]));
        // A batch as the first durable version wrote it: the JSON of parameters and results inside escaped strings.
        var earlier = """
            {"Records":[
              {"kind":"accepted","Job":{"Id":"job-1","PluginId":"echo","Sequence":1,"CreatedAt":"2026-11-28T06:00:00+00:00","Status":"Pending","ParametersJson":"{\u0022text\u0022:\u0022hi\u0022}"}},
              {"kind":"ended","JobId":"job-1","Status":"Completed","CompletedAt":"2026-11-28T06:00:01+00:00","ResultJson":"{\u0022text\u0022:\u0022hi\u0022}"}
            ]}
            """;

        var back = (JobStoreBatch)serializer.FromBinary(Encoding.UTF8.GetBytes(earlier), "batch");

        Assert.Equal("""{"text":"hi"}""", ((JobAcceptedRecord)back.Records[0]).Job.ParametersJson);
        Assert.Equal("""{"text":"hi"}""", ((JobEndedRecord)back.Records[1]).ResultJson);
    }

    [Fact]
    public void Should_name_the_kind_of_each_event_in_a_batch_and_read_them_back_in_order()
    {
        var serializer = (JobStoreSerializer)Sys.Serialization.FindSerializerFor(new JobStoreBatch([]));
        var batch = new JobStoreBatch([new JobAcceptedRecord(Job), new JobStartedRecord("job-1", "worker-2", 4242, Job.StartedAt!.Value), new JobsRemovedRecord(["job-1"])]);

        var bytes = serializer.ToBinary(batch);
        var back = (JobStoreBatch)serializer.FromBinary(bytes, "batch");

        Assert.Contains("\"kind\":\"accepted\"", Encoding.UTF8.GetString(bytes));
        Assert.Equal([typeof(JobAcceptedRecord), typeof(JobStartedRecord), typeof(JobsRemovedRecord)], back.Records.Select(record => record.GetType()));
        Assert.Equal(Job.Sequence, ((JobAcceptedRecord)back.Records[0]).Job.Sequence);
    }

    [Fact]
    public void Should_refuse_a_record_it_does_not_know_with_a_clear_message()
    {
        var serializer = new JobStoreSerializer((ExtendedActorSystem)Sys);

        var error = Assert.ThrowsAny<Exception>(() => serializer.FromBinary([], "from-the-future"));

        Assert.Contains("from-the-future", error.Message);
    }
}

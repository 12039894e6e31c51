import CubeStorage
import CubeStorageS3
import Testing

@Suite struct S3ConfigurationResolverTests {
    static let credentialsFile = """
        [default]
        aws_access_key_id = DEFAULTKEY
        aws_secret_access_key = default-secret

        # a comment
        [work]
        aws_access_key_id=WORKKEY
        aws_secret_access_key=work-secret
        aws_session_token = work-token
        """
    static let configFile = """
        [default]
        region = eu-west-3

        [profile work]
        region = ap-south-1
        s3 =
          endpoint_url = http://127.0.0.1:9000
          addressing_style = virtual

        [profile keysinconfig]
        aws_access_key_id = CONFIGKEY
        aws_secret_access_key = config-secret
        endpoint_url = https://minio.example.org
        """

    func resolver(_ environment: [String: String]) -> S3ConfigurationResolver {
        var all = ["HOME": "/home/u"]
        all.merge(environment) { $1 }
        return S3ConfigurationResolver(environment: all) { path in
            switch path {
            case "/home/u/.aws/credentials", "/alt/credentials": return Self.credentialsFile
            case "/home/u/.aws/config", "/alt/config": return Self.configFile
            default: return nil
            }
        }
    }

    @Test func environmentKeysBeatTheDefaultProfile() throws {
        let configuration = try resolver(["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "env-secret",
                                          "AWS_SESSION_TOKEN": "env-token", "AWS_DEFAULT_REGION": "us-west-2"])
            .resolve(StorageOptions(), bucket: "bucket")
        #expect(configuration.credentials == S3Credentials(accessKeyID: "ENVKEY", secretAccessKey: "env-secret",
                                                           sessionToken: "env-token"))
        #expect(configuration.region == "us-west-2")
        #expect(configuration.endpoint == S3Endpoint.aws(region: "us-west-2"))
        #expect(configuration.endpoint.addressing == .virtualHost)
    }

    @Test func defaultProfileFromTheFiles() throws {
        let configuration = try resolver([:]).resolve(StorageOptions(), bucket: "bucket")
        #expect(configuration.credentials?.accessKeyID == "DEFAULTKEY")
        #expect(configuration.region == "eu-west-3")
        #expect(configuration.endpoint.host == "s3.eu-west-3.amazonaws.com")
    }

    @Test func awsProfileSelectsCredentialsRegionAndNestedEndpoint() throws {
        let configuration = try resolver(["AWS_PROFILE": "work"]).resolve(StorageOptions(), bucket: "bucket")
        #expect(configuration.credentials == S3Credentials(accessKeyID: "WORKKEY", secretAccessKey: "work-secret",
                                                           sessionToken: "work-token"))
        #expect(configuration.region == "ap-south-1")
        #expect(configuration.endpoint.description == "http://127.0.0.1:9000")
        #expect(configuration.endpoint.addressing == .virtualHost)
    }

    @Test func explicitProfileOptionBeatsEnvironmentKeysAndAlternateFiles() throws {
        let configuration = try resolver(["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "env-secret",
                                          "AWS_CONFIG_FILE": "/alt/config", "AWS_SHARED_CREDENTIALS_FILE": "/alt/credentials"])
            .resolve(StorageOptions(profile: "keysinconfig"), bucket: "bucket")
        #expect(configuration.credentials?.accessKeyID == "CONFIGKEY")
        #expect(configuration.endpoint.description == "https://minio.example.org")
        #expect(configuration.endpoint.addressing == .path)
    }

    @Test func optionsBeatEnvironmentForRegionAndEndpoint() throws {
        let configuration = try resolver(["AWS_REGION": "eu-north-1", "AWS_ENDPOINT_URL": "http://127.0.0.1:1000",
                                          "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:2000"])
            .resolve(StorageOptions(), bucket: "bucket")
        #expect(configuration.region == "eu-north-1")
        #expect(configuration.endpoint.description == "http://127.0.0.1:2000")
        let explicit = try resolver(["AWS_REGION": "eu-north-1", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:2000"])
            .resolve(StorageOptions(endpointURL: "http://localhost:3000", region: "local"), bucket: "bucket")
        #expect(explicit.region == "local" && explicit.endpoint.description == "http://localhost:3000")
        #expect(explicit.endpoint.addressing == .path)
    }

    @Test func anonymousNeedsNoKeys() throws {
        let configuration = try S3ConfigurationResolver(environment: ["HOME": "/nowhere"]) { _ in nil }
            .resolve(StorageOptions(anonymous: true), bucket: "public.data")
        #expect(configuration.credentials == nil)
        #expect(configuration.region == "us-east-1")
        #expect(configuration.endpoint.addressing == .path, "bucket names with dots use path addressing on AWS")
    }

    @Test func missingCredentialsAndProfilesAreClearErrors() {
        let empty = S3ConfigurationResolver(environment: ["HOME": "/nowhere"]) { _ in nil }
        #expect { try empty.resolve(StorageOptions(), bucket: "b-1") } throws: { error in
            guard let error = error as? StorageError else { return false }
            return error.code == .denied && error.description.contains("no credentials")
                && error.description.contains("s3://b-1")
        }
        #expect { try resolver(["AWS_PROFILE": "nope"]).resolve(StorageOptions(), bucket: "b-1") } throws: { error in
            (error as? StorageError)?.code == .invalid && "\(error)".contains("profile 'nope'")
        }
        #expect { try resolver([:]).resolve(StorageOptions(endpointURL: "ftp://x"), bucket: "b-1") } throws: { error in
            (error as? StorageError)?.code == .invalid && "\(error)".contains("http or https")
        }
    }
}
